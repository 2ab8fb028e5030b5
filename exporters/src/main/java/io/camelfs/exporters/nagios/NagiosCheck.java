package io.camelfs.exporters.nagios;

import io.camelfs.cli.Extension;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/**
 * {@code camelfs check} (also installed as {@code check_camelfs}): a Monitoring Plugins check of a volume, a
 * mount or a brick. One status line on standard output, perfdata after '|', exit 0/1/2/3.
 */
@Command(name = "check", mixinStandardHelpOptions = true,
         description = "Nagios / Monitoring Plugins check: exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.",
         subcommands = {VolumeCheck.class, MountCheck.class, BrickCheck.class})
public final class NagiosCheck implements Callable<Integer>, Extension {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public String name() {
        return "check";
    }

    @Override
    public Object command() {
        return new NagiosCheck();
    }

    @Override
    public int usageError(String message, String usage, PrintWriter out, PrintWriter err) {
        return usage(out, message, usage.startsWith("Usage:") ? usage.substring(6).trim() : usage);
    }

    /** UNKNOWN, the reason and the usage line: what a plugin says about a bad command line. */
    static int usage(PrintWriter out, String message, String synopsis) {
        out.println("CAMELFS UNKNOWN - " + message.replaceAll("[\\r\\n|]+", " ").trim());
        out.println("Usage: " + synopsis.replaceFirst("^camelfs check", "check_camelfs"));
        out.flush();
        return Status.UNKNOWN.code;
    }

    @Override
    public Integer call() {
        return usage(spec.commandLine().getOut(), "name a mode: volume, mount or brick",
                "check_camelfs volume|mount|brick ... (see --help)");
    }
}
