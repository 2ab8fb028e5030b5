package io.camelfs.cli;

import io.camelfs.afr.Replicate;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "volume", description = "Volume administration.", subcommands = {VolumeCommand.Status.class})
final class VolumeCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    @Command(name = "status", description = "Show each brick of the volume up or down; exit 0 only when all are up.")
    static final class Status implements Callable<Integer> {
        @Parameters(paramLabel = "HOST:PORT:/VOLUME")
        String target;

        @Override
        public Integer call() {
            try (VolumeTarget t = VolumeTarget.open(target)) {
                Replicate v = t.volume;
                var spec = v.spec();
                System.out.println("Volume " + spec.name() + ": replica " + spec.replica() + ", quorum "
                        + spec.quorum() + (v.quorumMet() ? " (met)" : " (NOT met: writes are refused)"));
                int up = 0;
                for (int i = 0; i < spec.replica(); i++) {
                    boolean isUp = v.isUp(i);
                    up += isUp ? 1 : 0;
                    System.out.printf("Brick %-21s %s%n", spec.bricks().get(i),
                            isUp ? "up" : "down (" + v.downReason(i) + ")");
                }
                System.out.println("Bricks up: " + up + " of " + spec.replica());
                return up == spec.replica() ? 0 : 1;
            }
        }
    }
}
