package io.camelfs.cli;

import io.camelfs.fop.FopException;
import io.camelfs.protocol.Wire;
import io.camelfs.runtime.NodeRuntime;
import io.camelfs.volume.InvalidVolumeException;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.ServiceLoader;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/** bin/camelfs: run a node, or use a volume from the command line without FUSE. */
@Command(name = "camelfs", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
         description = "Replicated directories for the JVM operations stack.",
         subcommands = {RunCommand.class, MountCommand.class, VolumeCommand.class, HealCommand.class,
             AdoptCommand.class, CpCommand.class, CatCommand.class, LsCommand.class, RmCommand.class,
             CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    public static void main(String[] args) {
        quietLoggingUnlessRunning(args);
        System.exit(execute(args));
    }

    /** Client commands print results, not the engine's INFO log; a node logs as a service does. */
    static void quietLoggingUnlessRunning(String[] args) {
        boolean run = args.length > 0 && args[0].equals("run");
        boolean daemon = args.length > 1 && args[0].equals("mount") && Arrays.asList(args).contains(
                "--foreground");
        run = run || daemon;
        if (!run && System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "error");
        }
    }

    public static int execute(String... args) {
        CommandLine cl = new CommandLine(new Main());
        Map<String, Extension> extensions = new HashMap<>();
        for (Extension x : ServiceLoader.load(Extension.class)) {
            cl.addSubcommand(x.name(), x.command());
            extensions.put(x.name(), x);
        }
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("camelfs: " + oneLine(e));
            return 1;
        });
        cl.setParameterExceptionHandler((e, a) -> {
            CommandLine top = e.getCommandLine();
            while (top.getParent() != null && top.getParent().getParent() != null) {
                top = top.getParent();
            }
            Extension x = extensions.get(top.getCommandName());
            if (x != null) {
                String usage = e.getCommandLine().getHelp().synopsis(0).trim();
                return x.usageError(e.getMessage(), "Usage: " + usage, e.getCommandLine().getOut(),
                        e.getCommandLine().getErr());
            }
            PrintWriter err = e.getCommandLine().getErr();
            err.println("camelfs: " + e.getMessage());
            err.println("Try 'camelfs " + e.getCommandLine().getCommandName() + " --help' for more information.");
            return 2;
        });
        return cl.execute(args);
    }

    static String oneLine(Throwable e) {
        String m;
        if (e instanceof FopException || e instanceof InvalidVolumeException) {
            m = e.getMessage();
        } else {
            m = NodeRuntime.reason(e);
        }
        return m == null ? e.toString() : m.replaceAll("\\s+", " ").trim();
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"camelfs " + (v == null ? "development build" : v) + ", brick protocol "
                    + Wire.PROTOCOL};
        }
    }
}
