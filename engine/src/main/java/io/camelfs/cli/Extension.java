package io.camelfs.cli;

import java.io.PrintWriter;

/**
 * A bin/camelfs subcommand that lives in another module (the Nagios check lives with the exporters), found on the
 * classpath with {@link java.util.ServiceLoader}.
 */
public interface Extension {
    String name();

    /** The picocli command object. */
    Object command();

    /**
     * Reports a bad command line and returns the exit code. A monitoring plugin must answer UNKNOWN (3) on its
     * standard output; other commands print to standard error and return 2.
     */
    default int usageError(String message, String usage, PrintWriter out, PrintWriter err) {
        err.println("camelfs: " + message);
        err.println(usage);
        return 2;
    }
}
