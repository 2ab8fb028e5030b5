package io.camelfs.exporters.nagios;

import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * One check mode: runs the probe on a daemon thread and answers by the deadline whatever the probe does -- a
 * hung mount or a brick that accepts and never replies must not hang the monitoring host.
 */
abstract class PluginCheck implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-t", "--timeout"}, paramLabel = "SECONDS", defaultValue = "10",
            description = "answer within this many seconds (default ${DEFAULT-VALUE})")
    int timeoutSeconds;

    /** The word after CAMELFS in the status line. */
    abstract String service();

    /** Parses thresholds; an IllegalArgumentException becomes UNKNOWN with the usage line. */
    void validate() {
    }

    abstract PluginResult probe() throws Exception;

    /** What to say when the probe did not finish in time. */
    abstract PluginResult timedOut();

    @Override
    public Integer call() {
        PluginResult r;
        try {
            if (timeoutSeconds < 1) {
                throw new IllegalArgumentException("-t must be at least 1 second, not " + timeoutSeconds);
            }
            validate();
        } catch (IllegalArgumentException e) {
            return NagiosCheck.usage(spec.commandLine().getOut(), e.getMessage(), spec.commandLine().getHelp()
                    .synopsis(0).trim());
        }
        FutureTask<PluginResult> task = new FutureTask<>(this::probe);
        Thread t = new Thread(task, "check-" + service().toLowerCase(Locale.ROOT));
        t.setDaemon(true);
        t.start();
        try {
            r = task.get(timeoutSeconds, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            r = timedOut();
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            String m = c.getMessage() == null ? c.toString() : c.getMessage();
            r = PluginResult.of(service(), Status.CRITICAL, m);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            r = PluginResult.of(service(), Status.UNKNOWN, "interrupted");
        }
        spec.commandLine().getOut().println(r.line());
        spec.commandLine().getOut().flush();
        return r.status().code;
    }

    static Range range(String text, String option) {
        if (text == null) {
            return null;
        }
        try {
            return Range.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + ": " + e.getMessage());
        }
    }

    /** The status a value earns against warning and critical ranges (either may be null). */
    static Status judge(double value, Range warn, Range crit) {
        if (crit != null && crit.alerts(value)) {
            return Status.CRITICAL;
        }
        if (warn != null && warn.alerts(value)) {
            return Status.WARNING;
        }
        return Status.OK;
    }
}
