package io.camelfs.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Nagios 4 core runs check_camelfs against a replica-2 volume, one of its bricks and a FUSE mount of it;
 * the test reads the states and perfdata Nagios recorded in its status file. Then a brick's node is killed with
 * SIGKILL (volume WARNING) and the mount's process is stopped with SIGSTOP (mount CRITICAL within -t).
 */
class NagiosIT {
    private static final int MOUNT_TIMEOUT = 3;

    @TempDir
    Path work;

    @Test
    void nagiosRecordsWhatTheChecksSee() throws Exception {
        List<Path> yaml = NodeProcess.writeNodes(work, "web", 2, "");
        String target = "127.0.0.1:" + NodeProcess.port(yaml.get(0)) + ":/web";
        Path mnt = work.resolve("mnt");
        Path nagios = Files.createDirectories(work.resolve("nagios"));
        NodeProcess n1 = NodeProcess.start("node1", work, yaml.get(0));
        NodeProcess n2 = NodeProcess.start("node2", work, yaml.get(1));
        Process core = null;
        long mountPid = -1;
        try (Mounted m = Mounted.mount(work, target, mnt, null)) {
            mountPid = m.pid();
            writeConfig(nagios, target, mnt);
            Process verify = new ProcessBuilder("nagios4", "-v", nagios.resolve("nagios.cfg").toString())
                    .redirectErrorStream(true).start();
            String v = new String(verify.getInputStream().readAllBytes());
            assertTrue(verify.waitFor(30, TimeUnit.SECONDS) && verify.exitValue() == 0, v);
            core = new ProcessBuilder("nagios4", nagios.resolve("nagios.cfg").toString()).redirectErrorStream(true)
                    .redirectOutput(nagios.resolve("core.out").toFile()).start();

            Map<String, String> vol = await(nagios, "volume", s -> s.get("current_state").equals("0"));
            assertTrue(vol.get("plugin_output").startsWith("CAMELFS VOLUME OK - web: 2/2 bricks up, quorum met"),
                    vol.toString());
            assertEquals("'bricks_up'=2;2:;1:;0;2 'quorum'=1;;1:1;0;1 'heal_pending'=0;100;1000;0;"
                    + " 'split_brain'=0;;0;0;", vol.get("performance_data"));
            Map<String, String> brick = await(nagios, "brick", s -> s.get("current_state").equals("0"));
            assertTrue(brick.get("performance_data").matches("'space_used'=[0-9.]+%;80;90;0;100 'inodes_used'="
                    + "[0-9.]+%;80;90;0;100 'free'=[0-9]+B;;;0;[0-9]+"), brick.toString());
            Map<String, String> mount = await(nagios, "mount", s -> s.get("current_state").equals("0"));
            assertTrue(mount.get("plugin_output").startsWith("CAMELFS MOUNT OK - " + mnt + " (fuse.camelfs)"
                    + " answered"), mount.toString());
            assertTrue(mount.get("performance_data").matches("'time'=[0-9.]+s;;;0;"), mount.toString());

            n2.kill9();
            vol = await(nagios, "volume", s -> s.get("current_state").equals("1"));
            assertTrue(vol.get("plugin_output").startsWith("CAMELFS VOLUME WARNING - web: 1/2 bricks up, quorum"
                    + " met") && vol.get("plugin_output").contains("down: 127.0.0.1:"
                            + NodeProcess.port(yaml.get(1))), vol.toString());
            assertTrue(vol.get("performance_data").startsWith("'bricks_up'=1;2:;1:;0;2"), vol.toString());

            // a frozen mount: the check answers CRITICAL by its deadline instead of hanging
            new ProcessBuilder("kill", "-STOP", Long.toString(mountPid)).start().waitFor(5, TimeUnit.SECONDS);
            long start = System.nanoTime();
            NodeProcess.Result r = NodeProcess.cli(work, Duration.ofSeconds(30), "check", "mount", "-t",
                    Integer.toString(MOUNT_TIMEOUT), mnt.toString());
            double took = (System.nanoTime() - start) / 1e9;
            System.out.printf("check mount -t %d on a SIGSTOPped mount answered in %.2f s (JVM start included):"
                    + " %s", MOUNT_TIMEOUT, took, r.out());
            assertEquals(2, r.exit(), r.out() + r.err());
            assertEquals("CAMELFS MOUNT CRITICAL - " + mnt + " did not answer within " + MOUNT_TIMEOUT
                    + " s: the mount is hung or stale", r.out().strip());
            assertTrue(took < MOUNT_TIMEOUT + 5, "took " + took + " s");
            mount = await(nagios, "mount", s -> s.get("current_state").equals("2"));
            assertTrue(mount.get("plugin_output").contains("did not answer within " + MOUNT_TIMEOUT + " s"),
                    mount.toString());
            new ProcessBuilder("kill", "-CONT", Long.toString(mountPid)).start().waitFor(5, TimeUnit.SECONDS);
            mountPid = -1;
        } finally {
            if (mountPid > 0) {
                new ProcessBuilder("kill", "-CONT", Long.toString(mountPid)).start().waitFor(5, TimeUnit.SECONDS);
            }
            if (core != null) {
                core.destroy();
                if (!core.waitFor(10, TimeUnit.SECONDS)) {
                    core.destroyForcibly();
                }
            }
            n1.close();
            n2.close();
        }
    }

    /** Waits until Nagios's status file shows the service checked and in the wanted state. */
    private static Map<String, String> await(Path nagios, String service,
            java.util.function.Predicate<Map<String, String>> wanted) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        Map<String, String> last = Map.of();
        while (System.nanoTime() < end) {
            Map<String, String> s = status(nagios.resolve("status.dat"), service);
            if (s != null) {
                last = s;
                if ("1".equals(s.get("has_been_checked")) && wanted.test(s)) {
                    return s;
                }
            }
            Thread.sleep(250);
        }
        throw new AssertionError("Nagios never recorded the wanted state of " + service + "; last: " + last);
    }

    private static Map<String, String> status(Path file, String service) throws java.io.IOException {
        if (!Files.exists(file)) {
            return null;
        }
        Map<String, String> block = null;
        for (String line : Files.readAllLines(file)) {
            String l = line.strip();
            if (l.equals("servicestatus {")) {
                block = new HashMap<>();
            } else if (l.equals("}") && block != null) {
                if (service.equals(block.get("service_description"))) {
                    return block;
                }
                block = null;
            } else if (block != null && l.contains("=")) {
                block.put(l.substring(0, l.indexOf('=')), l.substring(l.indexOf('=') + 1));
            }
        }
        return null;
    }

    private void writeConfig(Path dir, String target, Path mnt) throws java.io.IOException {
        Files.createDirectories(dir.resolve("checkresults"));
        String d = dir.toString();
        Files.writeString(dir.resolve("nagios.cfg"), String.join("\n",
                "log_file=" + d + "/nagios.log", "cfg_file=" + d + "/objects.cfg",
                "object_cache_file=" + d + "/objects.cache", "precached_object_file=" + d + "/objects.precache",
                "resource_file=" + d + "/resource.cfg", "status_file=" + d + "/status.dat",
                "status_update_interval=1", "nagios_user=root", "nagios_group=root", "check_external_commands=0",
                "lock_file=" + d + "/nagios.lock", "temp_file=" + d + "/nagios.tmp", "temp_path=" + d,
                "state_retention_file=" + d + "/retention.dat", "retain_state_information=0", "interval_length=1",
                "service_inter_check_delay_method=n", "host_inter_check_delay_method=n",
                "max_service_check_spread=1", "max_host_check_spread=1", "check_result_reaper_frequency=1",
                "check_result_path=" + d + "/checkresults", "execute_service_checks=1", "enable_notifications=0",
                "use_syslog=0", "service_check_timeout=60", "query_socket=" + d + "/nagios.qh", ""));
        Files.writeString(dir.resolve("resource.cfg"), "$USER1$=" + NodeProcess.HOME.resolve("bin") + "\n");
        // the commands are what examples/yaml/monitoring/nagios/camelfs.cfg ships
        String shipped = Files.readString(NodeProcess.HOME.resolve("examples/yaml/monitoring/nagios/camelfs.cfg"));
        String commands = shipped.substring(0, shipped.indexOf("# --- services"));
        Files.writeString(dir.resolve("objects.cfg"), commands
                + "define timeperiod {\n  timeperiod_name always\n  alias always\n"
                + "  sunday 00:00-24:00\n  monday 00:00-24:00\n  tuesday 00:00-24:00\n  wednesday 00:00-24:00\n"
                + "  thursday 00:00-24:00\n  friday 00:00-24:00\n  saturday 00:00-24:00\n}\n"
                + "define command {\n  command_name check_true\n  command_line /bin/true\n}\n"
                + "define contact {\n  contact_name nobody\n  alias nobody\n  host_notifications_enabled 0\n"
                + "  service_notifications_enabled 0\n  host_notification_period always\n"
                + "  service_notification_period always\n  host_notification_options n\n"
                + "  service_notification_options n\n  host_notification_commands check_true\n"
                + "  service_notification_commands check_true\n}\n"
                + "define host {\n  host_name camelfs\n  alias camelfs\n  address 127.0.0.1\n"
                + "  check_command check_true\n  max_check_attempts 1\n  check_interval 60\n  retry_interval 1\n"
                + "  check_period always\n  notification_period always\n  contacts nobody\n}\n"
                + service("volume", "check_camelfs_volume!" + target)
                + service("brick", "check_camelfs_brick!" + work.resolve("data/brick1") + "!80!90")
                + service("mount", "check_camelfs_mount!" + mnt + "!" + MOUNT_TIMEOUT));
    }

    private static String service(String name, String command) {
        return "define service {\n  host_name camelfs\n  service_description " + name + "\n  check_command "
                + command + "\n  max_check_attempts 1\n  check_interval 2\n  retry_interval 1\n"
                + "  check_period always\n  notification_period always\n  contacts nobody\n}\n";
    }
}
