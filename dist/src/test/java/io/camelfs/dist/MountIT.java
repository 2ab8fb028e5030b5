package io.camelfs.dist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.camelfs.afr.Replicate;
import io.camelfs.client.VolumeClient;
import io.camelfs.volume.VolumeAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * One replica-2 volume (two node processes) and two FUSE mounts of it, as two web servers would have: programs
 * behave on them as on a local disk, and each mount sees the other's writes when they return.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MountIT {
    private Path work;
    private NodeProcess n1;
    private NodeProcess n2;
    private Mounted m1;
    private Mounted m2;
    private String address;
    /** node1's Prometheus port: its brick's operation counts show how requests reached it. */
    private int metrics1;

    @BeforeAll
    void start() throws Exception {
        work = Files.createTempDirectory("camelfs-mountit");
        // other users must be able to walk to the mountpoints (the permission test runs as nobody)
        Files.setPosixFilePermissions(work, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        List<Path> yaml = NodeProcess.writeNodes(work, "web", 2, "");
        metrics1 = NodeProcess.freePort();
        Files.writeString(yaml.get(0), Files.readString(yaml.get(0))
                + NodeProcess.monitoringBean("        metricsPort: " + metrics1 + "\n"));
        n1 = NodeProcess.start("node1", work, yaml.get(0));
        n2 = NodeProcess.start("node2", work, yaml.get(1));
        address = "127.0.0.1:" + NodeProcess.port(yaml.get(0)) + ":/web";
        m1 = Mounted.mount(work, address, work.resolve("m1"), "");
        m2 = Mounted.mount(work, "127.0.0.1:" + NodeProcess.port(yaml.get(1)) + ":/web", work.resolve("m2"), "");
    }

    @AfterAll
    void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {m1, m2, n1, n2}) {
            if (c != null) {
                c.close();
            }
        }
        Sh.run(Path.of("/"), Duration.ofSeconds(60), "rm -rf " + work);
    }

    /** Runs a Python script with the two mounts' directories as its arguments. */
    private Sh.Result onBothMounts(String name, String script, Duration timeout) throws Exception {
        Files.writeString(work.resolve(name), script);
        return Sh.run(work, timeout, "python3 " + name + " " + m1.dir + " " + m2.dir);
    }

    private Path probe() {
        return Path.of(System.getProperty("camelfs.home")).resolve("dist/src/test/resources/posix_probe.py");
    }

    private void assertBricksIdentical() throws Exception {
        assertEquals(BrickTree.of(work.resolve("data/brick1")), BrickTree.of(work.resolve("data/brick2")));
    }

    @Test
    void posixBehavesAsOnTheLocalDisk() throws Exception {
        Path local = Files.createDirectories(work.resolve("local-probe"));
        Path mounted = Files.createDirectories(m1.dir.resolve("probe"));
        String onLocal = Sh.run(work, Duration.ofSeconds(60), "python3 " + probe() + " " + local).ok().out();
        String onMount = Sh.run(work, Duration.ofSeconds(120), "python3 " + probe() + " " + mounted).ok().out();
        assertTrue(onLocal.lines().count() > 60, onLocal);
        assertEquals(onLocal, onMount, "the mount must answer every probe as the local disk does");
        assertBricksIdentical();
    }

    @Test
    void realToolsProduceIdenticalTrees() throws Exception {
        Path src = Files.createDirectories(work.resolve("src"));
        String setup = "set -e; cp -r " + Path.of(System.getProperty("camelfs.home")).resolve("engine/src") + " "
                + src + "/code; cd " + src + "; mkdir -p bin empty; head -c 3000000 /dev/urandom > bin/blob;"
                + " ln -s code/main lnk; ln bin/blob bin/blob.hard; chmod 0750 bin; chmod 0600 bin/blob;"
                + " touch -d '2019-05-06 07:08:09.123456789' code; printf x > 'name with spaces';"
                + " printf y > 'ünïcødé-名前'; mkfifo pipe";
        Sh.run(work, Duration.ofSeconds(60), setup).ok();
        String m = m1.dir.toString();
        // cp -a keeps modes, times, links; tar and rsync too; each result is compared with the source
        Sh.run(work, Duration.ofSeconds(300), "set -e; cp -a " + src + " " + m + "/cpa; "
                + "(cd " + src + " && tar cf - .) | (mkdir " + m + "/tarx && cd " + m + "/tarx && tar xf -); "
                + "rsync -aH " + src + "/ " + m + "/rsync/").ok();
        String listing = "cd %s && find . -printf '%%p %%y %%m %%s %%n %%l\\n' | sort";
        String expected = Sh.run(work, Duration.ofSeconds(60), String.format(listing, src)).ok().out();
        for (String copy : new String[] {"cpa", "tarx", "rsync"}) {
            // diff reports fifos as differing by nature; the listing below compares them
            Sh.run(work, Duration.ofSeconds(120), "diff -r --no-dereference --exclude=pipe " + src + " " + m + "/"
                    + copy).ok();
            assertEquals(expected, Sh.run(work, Duration.ofSeconds(60), String.format(listing, m + "/" + copy))
                    .ok().out(), copy + ": names, types, modes, sizes, link counts and targets");
        }
        String mtimes = "cd %s && find . -printf '%%p %%T@\\n' | sort";
        assertEquals(Sh.run(work, Duration.ofSeconds(60), String.format(mtimes, src)).ok().out(),
                Sh.run(work, Duration.ofSeconds(60), String.format(mtimes, m + "/cpa")).ok().out(),
                "cp -a keeps modification times to the nanosecond");
        String again = Sh.run(work, Duration.ofSeconds(120), "rsync -aHi " + src + "/ " + m + "/rsync/").ok().out();
        assertEquals("", again, "a second rsync finds nothing to transfer");

        // git clone of a local repository, then git fsck and a clean status
        Sh.run(work, Duration.ofSeconds(120), "set -e; git init -q " + work + "/repo; cp -r " + src + "/code "
                + work + "/repo/; cd " + work + "/repo; git add -A; git -c user.name=t -c user.email=t@t commit -qm"
                + " one; echo more >> code/main/java/io/camelfs/fop/Errno.java; git -c user.name=t -c"
                + " user.email=t@t commit -qam two").ok();
        Sh.run(work, Duration.ofSeconds(300), "set -e; git clone -q " + work + "/repo " + m + "/clone; cd " + m
                + "/clone; git fsck --full --strict; test -z \"$(git status --porcelain)\"; git log --oneline |"
                + " wc -l | grep -qx 2; git gc -q; git fsck --full").ok();
        assertBricksIdentical();
    }

    @Test
    void sqliteWithConcurrentWritersOnTwoMounts() throws Exception {
        String script = "import sqlite3, sys, time\n"
                + "db = sqlite3.connect(sys.argv[1], timeout=60)\n"
                + "db.execute('create table if not exists t (writer text, n integer)')\n"
                + "db.commit()\n"
                + "for i in range(150):\n"
                + "    with db:\n"
                + "        db.execute('insert into t values (?, ?)', (sys.argv[2], i))\n"
                + "print('done')\n";
        Files.writeString(work.resolve("writer.py"), script);
        // create the database once, then two writers, one per mount, hammer it at the same time
        Sh.run(work, Duration.ofSeconds(60), "python3 -c \"import sqlite3; sqlite3.connect('" + m1.dir
                + "/app.db').execute('create table t (writer text, n integer)')\"").ok();
        Sh.Result r = Sh.run(work, Duration.ofSeconds(300), "python3 writer.py " + m1.dir + "/app.db a & a=$!; "
                + "python3 writer.py " + m2.dir + "/app.db b & b=$!; wait $a && wait $b").ok();
        assertEquals(2, r.out().lines().filter(l -> l.equals("done")).count(), r.out() + r.err());
        String check = Sh.run(work, Duration.ofSeconds(60), "python3 -c \"import sqlite3; db = sqlite3.connect('"
                + m2.dir + "/app.db'); print(db.execute('pragma integrity_check').fetchone()[0]);"
                + " print(db.execute('select count(*), count(distinct writer) from t').fetchone())\"").ok().out();
        assertEquals("ok\n(300, 2)\n", check);
        assertBricksIdentical();
    }

    @Test
    void aHundredThousandEntryDirectory() throws Exception {
        int n = 100_000;
        try (Replicate v = VolumeClient.open(VolumeAddress.parse(address), "test-filler")) {
            v.mkdir("big", 0755);
            ExecutorService pool = Executors.newFixedThreadPool(8);
            AtomicInteger next = new AtomicInteger();
            List<Future<?>> jobs = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                jobs.add(pool.submit(() -> {
                    for (int i; (i = next.getAndIncrement()) < n;) {
                        v.create("big/entry-" + i, 0644, true);
                    }
                    return null;
                }));
            }
            for (Future<?> f : jobs) {
                f.get(600, TimeUnit.SECONDS);
            }
            pool.shutdown();
        }
        long t0 = System.nanoTime();
        String count = Sh.run(work, Duration.ofSeconds(300), "ls -f " + m2.dir + "/big | wc -l").ok().out().trim();
        long listMillis = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(Integer.toString(n + 2), count, "all entries plus . and ..");
        String unique = Sh.run(work, Duration.ofSeconds(300), "find " + m1.dir + "/big -type f -printf '%f\\n'"
                + " | sort -u | wc -l").ok().out().trim();
        assertEquals(Integer.toString(n), unique);
        System.out.println("listing 100,000 entries through the mount took " + listMillis + " ms");
    }

    @Test
    void eachMountSeesTheOthersWritesWhenTheyReturn() throws Exception {
        Path dir1 = Files.createDirectories(m1.dir.resolve("vis"));
        Path dir2 = m2.dir.resolve("vis");
        int rounds = 200;
        long worst = 0;
        long total = 0;
        for (int i = 0; i < rounds; i++) {
            byte[] content = ("version " + i + " of the page\n").repeat(1 + i % 50).getBytes(StandardCharsets.UTF_8);
            Path name = dir1.resolve(i % 3 == 0 ? "same.html" : "page-" + i + ".html");
            Files.write(name, content); // returns once every brick has it
            long written = System.nanoTime();
            byte[] seen = Files.readAllBytes(dir2.resolve(name.getFileName()));
            long lag = System.nanoTime() - written;
            assertArrayEquals(content, seen, "round " + i + ": the other mount read stale or missing data");
            worst = Math.max(worst, lag);
            total += lag;
        }
        System.out.printf("a write on one mount is readable on the other %.2f ms after write() returns (worst %.2f"
                + " ms; lsyncd's default delay is 15,000 ms)%n", total / 1e6 / rounds, worst / 1e6);
        assertTrue(worst < 1_000_000_000L, "visible at the first attempt, well under a second");
    }

    @Test
    void namesThatAreNotUtf8AreRefusedNotMangled() throws Exception {
        // ext4 keeps any bytes; camelfs names are UTF-8 on the wire, so such a name is refused rather than turned
        // into another (jnr-fuse would hand it over with U+FFFD in place of the bad bytes)
        String script = "import os, errno\n"
                + "d = os.fsencode('DIR')\n"
                + "for op in ('create', 'mkdir', 'symlink', 'rename'):\n"
                + "    bad = d + b'/bad-' + op.encode() + b'\\xff'\n"
                + "    try:\n"
                + "        if op == 'create': open(bad, 'wb').close()\n"
                + "        elif op == 'mkdir': os.mkdir(bad)\n"
                + "        elif op == 'symlink': os.symlink(b'target', bad)\n"
                + "        else:\n"
                + "            open(d + b'/good', 'wb').close(); os.rename(d + b'/good', bad)\n"
                + "        print(op, 'made')\n"
                + "    except OSError as e:\n"
                + "        print(op, errno.errorcode[e.errno])\n"
                + "try:\n" // 255 such bytes are a name the disk takes; decoded, each would count 3 bytes
                + "    open(d + b'/' + b'\\x80' * 255, 'wb').close()\n"
                + "    print('long made')\n"
                + "except OSError as e:\n"
                + "    print('long', errno.errorcode[e.errno])\n"
                + "print(sorted(os.listdir(d)))\n";
        Path dir = Files.createDirectories(m1.dir.resolve("utf8"));
        Sh.Result r = Sh.run(work, Duration.ofSeconds(30), "python3 - <<'EOF'\n" + script.replace("DIR",
                dir.toString()) + "EOF");
        assertEquals("create EILSEQ\nmkdir EILSEQ\nsymlink EILSEQ\nrename EILSEQ\nlong EILSEQ\n[b'good']\n", r.out(),
                r.err());
    }

    @Test
    void fcntlLocksAreSharedByTwoMounts() throws Exception {
        Files.write(m1.dir.resolve("locked.dat"), new byte[1000]);
        String holder = "import fcntl, os, sys, time\n"
                + "fd = os.open(sys.argv[1], os.O_RDWR)\n"
                + "fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 100, 0)\n"
                + "print('locked', flush=True)\n"
                + "time.sleep(float(sys.argv[2]))\n"
                + "fcntl.lockf(fd, fcntl.LOCK_UN, 100, 0)\n"
                + "print('unlocked', flush=True)\n"
                + "time.sleep(1)\n";
        String contender = "import fcntl, os, sys, time, struct\n"
                + "fd = os.open(sys.argv[1], os.O_RDWR)\n"
                + "try:\n"
                + "    fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 10, 50)\n"
                + "    print('nonblocking: granted')\n"
                + "except OSError as e:\n"
                + "    print('nonblocking: refused', e.errno)\n"
                + "arg = struct.pack('hhqqi', fcntl.F_WRLCK, 0, 50, 10, 0)\n"
                + "res = struct.unpack('hhqqi', fcntl.fcntl(fd, fcntl.F_GETLK, arg))\n"
                + "print('getlk type', 'write' if res[0] == fcntl.F_WRLCK else res[0])\n"
                + "fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 10, 500)\n"
                + "print('other range: granted')\n"
                + "t = time.time()\n"
                + "fcntl.lockf(fd, fcntl.LOCK_EX, 10, 50)\n"
                + "print('blocking: granted after %.1f s' % (time.time() - t))\n";
        Files.writeString(work.resolve("holder.py"), holder);
        Files.writeString(work.resolve("contender.py"), contender);
        Sh.Result r = Sh.run(work, Duration.ofSeconds(60), "python3 holder.py " + m1.dir + "/locked.dat 2 > holder.out"
                + " & until grep -q locked holder.out 2>/dev/null; do sleep 0.05; done; python3 contender.py "
                + m2.dir + "/locked.dat; wait").ok();
        List<String> lines = r.out().lines().toList();
        assertEquals("nonblocking: refused 11", lines.get(0), r.out());
        assertEquals("getlk type write", lines.get(1));
        assertEquals("other range: granted", lines.get(2));
        double waited = Double.parseDouble(lines.get(3).replaceAll("[^0-9.]", ""));
        assertTrue(lines.get(3).startsWith("blocking: granted after") && waited >= 1.0 && waited < 5,
                "F_SETLKW waited for the holder on the other mount: " + lines.get(3));
    }

    /**
     * flock(2), which PHP's flock() and flock(1) in cron jobs use, is seen by the other mount (the kernel kept it to
     * one machine before), is independent of fcntl locks as on Linux, and goes with its descriptor's last close.
     */
    @Test
    void flockLocksAreSharedByTwoMountsAndGoAtClose() throws Exception {
        String script = "import fcntl, os, sys, time, subprocess\n"
                + "m1, m2 = sys.argv[1], sys.argv[2]\n"
                + "with open(m1 + '/flocked.dat', 'wb') as f:\n"
                + "    f.write(b'x')\n"
                + "fd = os.open(m1 + '/flocked.dat', os.O_RDWR)\n"
                + "fcntl.flock(fd, fcntl.LOCK_EX)\n"
                + "def other(code):\n"
                + "    return subprocess.run([sys.executable, '-c', 'import fcntl, os, sys, time\\n'"
                + " + 'f = os.open(sys.argv[1], os.O_RDWR)\\n' + code, m2 + '/flocked.dat'], capture_output=True,"
                + " text=True, timeout=30).stdout.strip()\n"
                + "print(other('try:\\n fcntl.flock(f, fcntl.LOCK_SH | fcntl.LOCK_NB)\\n print(\"granted\")\\n"
                + "except OSError as e:\\n print(\"flock on the other mount: refused\", e.errno)'))\n"
                + "print(other('fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB)\\n'"
                + " 'print(\"fcntl lock beside it: granted\")'))\n"
                + "waiter = subprocess.Popen([sys.executable, '-c', 'import fcntl, os, sys, time\\n'"
                + " + 'f = os.open(sys.argv[1], os.O_RDWR)\\nt = time.time()\\nfcntl.flock(f, fcntl.LOCK_EX)\\n'"
                + " + 'print(\"blocking flock: granted after %.1f s\" % (time.time() - t))', m2 + '/flocked.dat'],"
                + " stdout=subprocess.PIPE, text=True)\n"
                + "time.sleep(1)\n"
                + "os.close(fd)\n"
                + "print(waiter.communicate(timeout=30)[0].strip())\n";
        Sh.Result r = onBothMounts("flocked.py", script, Duration.ofSeconds(90));
        List<String> lines = r.out().lines().toList();
        assertEquals(3, lines.size(), r.out() + r.err());
        assertEquals("flock on the other mount: refused 11", lines.get(0));
        assertEquals("fcntl lock beside it: granted", lines.get(1));
        assertTrue(lines.get(2).matches("blocking flock: granted after [1-2]\\.[0-9] s"),
                "granted when the holder closed its descriptor: " + lines.get(2));
    }

    /**
     * A lock is on the file a descriptor opened, as on a local disk, not on the name the file had: once renamed or
     * unlinked through the other mount it is still lockable (locks went by path, and failed ENOENT), and the other
     * mount's processes see the lock under the new name.
     */
    @Test
    void locksFollowTheFileThroughRenamesAndUnlinksOnTheOtherMount() throws Exception {
        String script = "import fcntl, os, sys, multiprocessing as mp\n"
                + "m1, m2 = sys.argv[1], sys.argv[2]\n"
                + "fd = os.open(m1 + '/follow.dat', os.O_RDWR | os.O_CREAT, 0o644)\n"
                + "os.write(fd, b'data')\n" // a create travels with the first write (README: small files)
                + "os.rename(m2 + '/follow.dat', m2 + '/followed.dat')\n"
                + "fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)\n"
                + "print('renamed: granted', flush=True)\n"
                + "def other():\n"
                + "    f = os.open(m2 + '/followed.dat', os.O_RDWR)\n"
                + "    try:\n"
                + "        fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB)\n"
                + "        print('other mount: granted', flush=True)\n"
                + "    except OSError as e:\n"
                + "        print('other mount: refused', e.errno, flush=True)\n"
                + "p = mp.Process(target=other)\n"
                + "p.start()\n"
                + "p.join()\n"
                + "os.unlink(m2 + '/followed.dat')\n"
                + "fcntl.lockf(fd, fcntl.LOCK_UN)\n"
                + "fcntl.lockf(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)\n"
                + "print('unlinked: granted', flush=True)\n"
                + "os.close(fd)\n";
        Sh.Result r = onBothMounts("follow.py", script, Duration.ofSeconds(60));
        assertEquals("renamed: granted\nother mount: refused 11\nunlinked: granted\n", r.out(), r.err());
    }

    /**
     * A deploy renames a new file over an old one on one web server while the other still reads the old one through
     * an open descriptor: that reader must never get the new file's bytes spliced into the old file's (it did: reads
     * went by name). It gets ESTALE, as an NFS client does; its writes too, and the new file stays as deployed.
     */
    @Test
    void aDescriptorNeverReadsOrWritesTheFileRenamedOverItsNameElsewhere() throws Exception {
        String script = "import os, sys, errno\n"
                + "m1, m2 = sys.argv[1], sys.argv[2]\n"
                + "size = 4 << 20\n"
                + "with open(m1 + '/deploy.dat', 'wb') as f:\n"
                + "    f.write(b'o' * size)\n"
                + "fd = os.open(m1 + '/deploy.dat', os.O_RDWR)\n"
                + "assert os.pread(fd, 4096, 0) == b'o' * 4096\n"
                + "with open(m2 + '/deploy.new', 'wb') as f:\n"
                + "    f.write(b'n' * size)\n"
                + "os.rename(m2 + '/deploy.new', m2 + '/deploy.dat')\n"
                + "def outcome(op):\n"
                + "    try:\n"
                + "        r = op()\n"
                + "        return 'old bytes' if r == b'o' * 4096 else 'written' if r == 1 else 'done' if r is None"
                + " else 'other bytes'\n"
                + "    except OSError as e:\n"
                + "        return errno.errorcode[e.errno]\n"
                + "print('read:', outcome(lambda: os.pread(fd, 4096, 3 << 20)))\n"
                + "print('write:', outcome(lambda: os.pwrite(fd, b'x', 100)))\n"
                + "print('truncate:', outcome(lambda: os.ftruncate(fd, 10)))\n"
                + "os.close(fd)\n"
                + "with open(m2 + '/deploy.dat', 'rb') as f:\n"
                + "    print('deployed file intact:', f.read() == b'n' * size)\n";
        Sh.Result r = onBothMounts("deploy.py", script, Duration.ofSeconds(60));
        List<String> lines = r.out().lines().toList();
        assertEquals(4, lines.size(), r.out() + r.err());
        assertTrue(lines.get(0).equals("read: ESTALE") || lines.get(0).equals("read: old bytes"), r.out());
        assertTrue(lines.get(1).equals("write: ESTALE") || lines.get(1).equals("write: written"), r.out());
        assertTrue(lines.get(2).equals("truncate: ESTALE") || lines.get(2).equals("truncate: done"), r.out());
        assertEquals("deployed file intact: True", lines.get(3), r.out());
    }

    /**
     * A process waiting for a lock ends its wait when signalled, as on a local disk; killed (kill -9), it dies at
     * once. Before, the kernel kept a killed waiter in D state for as long as the lock stayed held.
     */
    @Test
    void aLockWaitEndsWhenItsProcessIsSignalledOrKilled() throws Exception {
        String script = "import fcntl, os, sys, time, signal, multiprocessing as mp\n"
                + "p = sys.argv[1]\n"
                + "fd = os.open(p, os.O_RDWR | os.O_CREAT, 0o644)\n"
                + "os.write(fd, b'x')\n"
                + "fcntl.lockf(fd, fcntl.LOCK_EX)\n"
                + "class Alarm(Exception):\n"
                + "    pass\n"
                + "def ring(*a):\n"
                + "    raise Alarm()\n"
                + "def waiter(alarm):\n"
                + "    signal.signal(signal.SIGALRM, ring)\n"
                + "    f = os.open(p, os.O_RDWR)\n"
                + "    t = time.time()\n"
                + "    signal.setitimer(signal.ITIMER_REAL, alarm)\n"
                + "    try:\n"
                + "        fcntl.lockf(f, fcntl.LOCK_EX)\n"
                + "        print('granted after %.1f s' % (time.time() - t), flush=True)\n"
                + "    except Alarm:\n"
                + "        print('interrupted after %.1f s' % (time.time() - t), flush=True)\n"
                + "w = mp.Process(target=waiter, args=(1.0,))\n"
                + "w.start()\n"
                + "w.join(20)\n"
                + "k = mp.Process(target=waiter, args=(30.0,))\n"
                + "k.start()\n"
                + "time.sleep(1)\n"
                + "t = time.time()\n"
                + "os.kill(k.pid, signal.SIGKILL)\n"
                + "k.join(10)\n"
                + "print('killed waiter gone after %.1f s' % (time.time() - t) if not k.is_alive() else 'killed"
                + " waiter still there', flush=True)\n"
                + "fcntl.lockf(fd, fcntl.LOCK_UN)\n"
                + "w = mp.Process(target=waiter, args=(5.0,))\n"
                + "w.start()\n"
                + "w.join(20)\n";
        Files.writeString(work.resolve("signalled.py"), script);
        try (Mounted m = Mounted.mount(work, address, work.resolve("m-signals"), "")) {
            Sh.Result r = m.runFreeingStuck(Duration.ofSeconds(60), "python3 signalled.py " + m.dir + "/signalled.dat");
            List<String> lines = r.out().lines().toList();
            assertEquals(3, lines.size(), r.out() + r.err());
            assertTrue(lines.get(0).matches("interrupted after 1\\.[0-4] s"), "signalled at 1 s: " + lines.get(0));
            assertTrue(lines.get(1).matches("killed waiter gone after [0-1]\\.[0-9] s"), lines.get(1));
            assertTrue(lines.get(2).matches("granted after 0\\.[0-9] s"), "nothing left waiting: " + lines.get(2));
        }
    }

    /**
     * A lock taken while another process unlinks the file, and a lock waited for while that happens: the mount once
     * hung for good on both (its lock callback opened the file through the mount, and a waiting lock held libfuse's
     * lock on the path that the unlink, and then the holder's unlock, queued behind).
     */
    @Test
    void locksAndUnlinksOfOneFileDoNotHangTheMount() throws Exception {
        String race = "import fcntl, os, sys, time, multiprocessing as mp\n"
                + "p = sys.argv[1]\n"
                + "stop = time.time() + 3\n"
                + "def locker():\n"
                + "    n = 0\n"
                + "    while time.time() < stop:\n"
                + "        try:\n"
                + "            fd = os.open(p, os.O_RDWR | os.O_CREAT, 0o644)\n"
                + "        except FileNotFoundError:\n"
                + "            continue\n"
                + "        for _ in range(10):\n"
                + "            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)\n"
                + "            fcntl.lockf(fd, fcntl.LOCK_UN)\n"
                + "            n += 1\n"
                + "        os.close(fd)\n"
                + "    print('locks', n, flush=True)\n"
                + "def unlinker():\n"
                + "    n = 0\n"
                + "    while time.time() < stop:\n"
                + "        try:\n"
                + "            os.unlink(p)\n"
                + "            n += 1\n"
                + "        except FileNotFoundError:\n"
                + "            time.sleep(0.001)\n"
                + "    print('unlinks', n, flush=True)\n"
                + "ps = [mp.Process(target=locker), mp.Process(target=unlinker)]\n"
                + "[x.start() for x in ps]\n"
                + "[x.join() for x in ps]\n";
        String waiting = "import fcntl, os, sys, time, multiprocessing as mp\n"
                + "p = sys.argv[1]\n"
                + "fd = os.open(p, os.O_RDWR | os.O_CREAT, 0o644)\n"
                + "fcntl.lockf(fd, fcntl.LOCK_EX)\n"
                + "def waiter():\n"
                + "    f = os.open(p, os.O_RDWR)\n"
                + "    try:\n"
                + "        fcntl.lockf(f, fcntl.LOCK_EX)\n"
                + "    except OSError:\n"
                + "        pass\n" // see README: a lock waited for on a file unlinked meanwhile can fail (ENOENT)
                + "    print('waiter done', flush=True)\n"
                + "w = mp.Process(target=waiter)\n"
                + "w.start()\n"
                + "time.sleep(0.5)\n"
                + "os.unlink(p)\n"
                + "print('unlinked', flush=True)\n"
                + "t = time.time()\n"
                + "fcntl.lockf(fd, fcntl.LOCK_UN)\n"
                + "print('unlocked in %.1f s' % (time.time() - t), flush=True)\n"
                + "w.join()\n";
        Files.writeString(work.resolve("race.py"), race);
        Files.writeString(work.resolve("waiting.py"), waiting);
        try (Mounted m = Mounted.mount(work, address, work.resolve("m-locks"), "")) {
            Sh.Result r = m.runFreeingStuck(Duration.ofSeconds(60), "python3 race.py " + m.dir + "/raced.dat;"
                    + " echo race=$?; python3 waiting.py " + m.dir + "/waited.dat; echo waiting=$?");
            List<String> lines = r.out().lines().toList();
            assertTrue(lines.contains("race=0") && lines.contains("waiting=0"), "both scripts ended: " + r.out());
            assertTrue(lines.stream().anyMatch(l -> l.matches("locks [1-9][0-9]*"))
                    && lines.stream().anyMatch(l -> l.matches("unlinks [1-9][0-9]*")),
                    "the locker and the unlinker both made progress: " + r.out());
            assertTrue(lines.contains("unlinked") && lines.contains("waiter done"), r.out());
            String unlocked = lines.stream().filter(l -> l.startsWith("unlocked in ")).findFirst().orElse("none");
            assertTrue(unlocked.matches("unlocked in [0-4]\\.[0-9] s"),
                    "the holder's unlock returned at once while a lock was waited for: " + unlocked);
        }
    }

    @Test
    void permissionsForOtherUsersWithAllowOther() throws Exception {
        Path m3dir = work.resolve("m3");
        try (Mounted m3 = Mounted.mount(work, address, m3dir, "allow_other,default_permissions")) {
            Sh.run(work, Duration.ofSeconds(30), "set -e; cd " + m3dir + "; mkdir -m 0700 private shared;"
                    + " chmod 0777 shared; echo secret > private/file; echo readable > open.txt; chmod 0600"
                    + " open.txt").ok();
            String as = "setpriv --reuid=65534 --regid=65534 --clear-groups ";
            Sh.Result r = Sh.run(work, Duration.ofSeconds(30), as + "cat " + m3dir + "/open.txt; echo \"cat=$?\"; "
                    + as + "ls " + m3dir + "/private; echo \"ls=$?\"; " + as + "touch " + m3dir + "/shared/mine;"
                    + " echo \"touch=$?\"; stat -c '%u %g' " + m3dir + "/shared/mine; " + as + "touch " + m3dir
                    + "/forbidden; echo \"root-dir=$?\"");
            assertTrue(r.err().contains("Permission denied"), r.err());
            assertTrue(r.out().contains("cat=1") && r.out().contains("ls=2") && r.out().contains("touch=0")
                    && r.out().contains("root-dir=1"), r.out() + r.err());
            assertTrue(r.out().contains("65534 65534"), "files belong to the user who made them: " + r.out());
            // without allow_other, other users are kept out of the mount entirely (FUSE's default)
            Sh.Result denied = Sh.run(work, Duration.ofSeconds(30), as + "ls " + m1.dir);
            assertTrue(denied.exit() != 0 && denied.err().contains("Permission denied"), denied.err());
        }
    }

    /** How many of process pid's open files are the kernel's CPU latency request file. */
    private static int latencyRequests(long pid) throws Exception {
        int n = 0;
        try (var fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    if (Files.readSymbolicLink(fd).toString().equals("/dev/cpu_dma_latency")) {
                        n++;
                    }
                } catch (java.nio.file.NoSuchFileException closedMeanwhile) {
                    // an fd closed between listing and reading
                }
            }
        }
        return n;
    }

    /** Keeps the mount at dir busy with small creates until stop is set; returns how many it made. */
    private static Future<Integer> createLoop(ExecutorService pool, Path dir, java.util.concurrent.atomic.AtomicBoolean
            stop) {
        return pool.submit(() -> {
            Files.createDirectories(dir);
            int i = 0;
            while (!stop.get() && i < 20_000) {
                Files.write(dir.resolve("f" + i++), new byte[4096]);
            }
            return i;
        });
    }

    /**
     * The kernel hands a mount large writes in requests of 1 MiB (libfuse 2 by itself allows 128 KiB): one write()
     * of 8 MiB into an existing file reaches the brick as 8 writes, and the other mount reads the same bytes. A file
     * opened for reading and writing goes through the page cache, which cuts by file offset; one opened write-only
     * goes around it, and the kernel cuts at the writer's own page boundaries: 8 pieces from a page-aligned buffer,
     * 9 from a buffer that starts one byte past a page boundary (which is how this test knows the write went direct).
     */
    @Test
    void aLargeWriteReachesTheBricksInOneMebibytePieces() throws Exception {
        Path file = m1.dir.resolve("large-write.bin");
        Files.write(file, new byte[0]); // created now, so that the first piece is a write like the others
        byte[] data = new byte[8 << 20];
        new java.util.Random(3).nextBytes(data);
        Set<StandardOpenOption> readWrite = Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE);
        Set<StandardOpenOption> writeOnly = Set.of(StandardOpenOption.WRITE);
        record Case(Set<StandardOpenOption> mode, ByteBuffer from, int pieces) {
        }
        for (Case c : List.of(new Case(readWrite, ByteBuffer.wrap(data), 8),
                new Case(writeOnly, pastPageBoundary(data, 0), 8), new Case(writeOnly, pastPageBoundary(data, 1), 9))) {
            double before = writesOnBrick1();
            try (FileChannel ch = FileChannel.open(file, c.mode())) {
                assertEquals(data.length, ch.write(c.from().duplicate(), 0), "one write() took all 8 MiB: " + c);
            }
            assertEquals(c.pieces(), writesOnBrick1() - before, "write requests that reached brick 1: " + c);
            assertArrayEquals(data, Files.readAllBytes(m2.dir.resolve("large-write.bin")), c.toString());
        }
        Files.delete(file);
    }

    /** data in memory of its own that starts skew bytes past a page boundary. */
    private static ByteBuffer pastPageBoundary(byte[] data, int skew) {
        ByteBuffer pages = ByteBuffer.allocateDirect(data.length + 8192).alignedSlice(4096);
        return pages.position(skew).limit(skew + data.length).slice().put(data).flip();
    }

    /** Writes brick 1 has served: on a volume nothing wrote to yet the series has no sample, later exactly one. */
    private double writesOnBrick1() throws Exception {
        List<Double> v = MetricsText.scrape(metrics1).values("camelfs_brick_operation_duration_seconds_count", "op",
                "write");
        assertTrue(v.size() <= 1, "one write series per brick: " + v);
        return v.isEmpty() ? 0 : v.get(0);
    }

    /**
     * While upcalls flow, the mount holds the kernel's CPU latency request open (idle CPUs poll instead of sleeping
     * deeply between the links of an operation), and so does each brick while it serves; once they stop they let
     * go, and a mount with cpu-latency=off never asks.
     */
    @Test
    void idleCpusPollOnlyWhileTheMountIsBusy() throws Exception {
        long pid = m1.pid();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            var stop = new java.util.concurrent.atomic.AtomicBoolean();
            Future<Integer> made = createLoop(pool, m1.dir.resolve("latency"), stop);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            int held = 0;
            while (held == 0 && System.nanoTime() < deadline) {
                held = latencyRequests(pid);
                Thread.sleep(20);
            }
            Thread.sleep(200);
            assertEquals(1, latencyRequests(pid), "held throughout the work");
            // bricks on other servers would sleep between requests too: each brick holds its own while it serves
            assertEquals(1, latencyRequests(n1.pid()), "brick 1 serving");
            assertEquals(1, latencyRequests(n2.pid()), "brick 2 serving");
            stop.set(true);
            assertTrue(made.get(60, TimeUnit.SECONDS) > 0);
            assertEquals(1, held, "the busy mount holds one request");
            int left = 1;
            int bricksLeft = 2;
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while ((left > 0 || bricksLeft > 0) && System.nanoTime() < deadline) {
                Thread.sleep(50);
                left = latencyRequests(pid);
                bricksLeft = latencyRequests(n1.pid()) + latencyRequests(n2.pid());
            }
            assertEquals(0, left, "an idle mount lets CPUs sleep");
            assertEquals(0, bricksLeft, "idle bricks let CPUs sleep");

            Path m3dir = work.resolve("m3-latency-off");
            try (Mounted m3 = Mounted.mount(work, address, m3dir, "cpu-latency=off")) {
                long pid3 = m3.pid();
                var stop3 = new java.util.concurrent.atomic.AtomicBoolean();
                Future<Integer> made3 = createLoop(pool, m3dir.resolve("latency-off"), stop3);
                int seen = 0;
                for (int i = 0; i < 25; i++) {
                    Thread.sleep(20);
                    seen = Math.max(seen, latencyRequests(pid3));
                }
                stop3.set(true);
                assertTrue(made3.get(60, TimeUnit.SECONDS) > 0);
                assertEquals(0, seen, "cpu-latency=off asks for nothing");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * A mount answers getattr and lookups from what its own changes returned while it holds the file's lease; the
     * other mount's change recalls that lease first, so the next stat here already shows it. Each round the two
     * mounts swap roles, so each has a warm cache of the file when the other changes it.
     */
    @Test
    void attributeChangesOnOneMountShowOnTheOtherAtOnce() throws Exception {
        Path[] on = {m1.dir.resolve("attrs.txt"), m2.dir.resolve("attrs.txt")};
        Files.writeString(on[0], "x");
        for (int i = 0; i < 40; i++) {
            Path mine = on[i % 2];
            Path theirs = on[(i + 1) % 2];
            Files.writeString(mine, "y".repeat(i + 1), java.nio.file.StandardOpenOption.APPEND); // this mount caches
            assertEquals(Files.size(mine), Files.size(theirs), "round " + i + ": size after append");
            Files.setPosixFilePermissions(theirs, java.nio.file.attribute.PosixFilePermissions.fromString(
                    i % 3 == 0 ? "rw-------" : "rw-r--r--"));
            Files.setLastModifiedTime(theirs, java.nio.file.attribute.FileTime.fromMillis(1_000_000_000_000L + i));
            var expected = Files.readAttributes(theirs, java.nio.file.attribute.PosixFileAttributes.class);
            var seen = Files.readAttributes(mine, java.nio.file.attribute.PosixFileAttributes.class);
            assertEquals(expected.permissions(), seen.permissions(), "round " + i + ": mode set on the other mount");
            assertEquals(expected.lastModifiedTime(), seen.lastModifiedTime(), "round " + i + ": mtime");
            assertEquals(expected.size(), seen.size(), "round " + i + ": size");
        }
    }

    @Test
    void readsAfterOverwriteOnTheOtherMountAreNeverStale() throws Exception {
        Path f1 = m1.dir.resolve("grows.log");
        Path f2 = m2.dir.resolve("grows.log");
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 50; i++) {
            String line = "line " + i + "\n";
            expected.append(line);
            Files.writeString(f1, line, java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
            assertEquals(expected.toString(), Files.readString(f2), "after append " + i);
        }
        Files.writeString(f1, "short\n");
        assertEquals("short\n", Files.readString(f2), "a shorter rewrite reads back short");
        assertArrayEquals(Files.readAllBytes(f1), Files.readAllBytes(f2));
        assertTrue(Arrays.equals(Files.readAllBytes(f1), "short\n".getBytes(StandardCharsets.UTF_8)));
    }
    /**
     * A non-exclusive create travels with the file's first write (one round trip for both): nothing may tell. The
     * file is there for its creator and this mount from open() on, keeps its inode number, and is on both bricks,
     * and on the other mount, once the write or the close returns.
     */
    @Test
    void aCreateSentWithItsFirstWriteIsNeverSeenMissing() throws Exception {
        Path dir1 = Files.createDirectories(m1.dir.resolve("lazy"));
        Path dir2 = m2.dir.resolve("lazy");
        var create = java.util.EnumSet.of(java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.WRITE);
        for (int i = 0; i < 30; i++) {
            Path f = dir1.resolve("f" + i);
            try (var ch = java.nio.channels.FileChannel.open(f, create)) {
                Object ino = Files.getAttribute(f, "unix:ino");
                assertEquals(0L, Files.size(f), "round " + i);
                if (i % 3 == 0) {
                    try (var names = Files.list(dir1)) { // a listing of this mount sends it
                        assertTrue(names.anyMatch(n -> n.equals(f)), "round " + i + ": listed before its write");
                    }
                    assertTrue(Files.exists(work.resolve("data/brick1/lazy/f" + i)), "round " + i + ": on brick 1");
                }
                ch.write(ByteBuffer.wrap(("round " + i).getBytes(StandardCharsets.UTF_8)));
                assertEquals("round " + i, Files.readString(dir2.resolve("f" + i)), "round " + i + ": other mount");
                assertEquals(ino, Files.getAttribute(f, "unix:ino"), "round " + i + ": inode number kept");
                assertEquals(ino, Files.getAttribute(dir2.resolve("f" + i), "unix:ino"), "round " + i);
            }
        }
        Path empty = dir1.resolve("touched");
        java.nio.channels.FileChannel.open(empty, create).close(); // no write: the close sends it
        for (String b : new String[] {"brick1", "brick2"}) {
            assertTrue(Files.isRegularFile(work.resolve("data/" + b + "/lazy/touched")), b);
        }
        assertEquals(0L, Files.size(dir2.resolve("touched")));
        // -o sync-create: on the bricks when open() returns
        try (Mounted strict = Mounted.mount(work, address, work.resolve("m3"), "sync-create")) {
            Path f = strict.dir.resolve("lazy/strict");
            try (var ch = java.nio.channels.FileChannel.open(f, create)) {
                assertTrue(Files.isRegularFile(work.resolve("data/brick2/lazy/strict")), "on brick 2 at open");
            }
        }
        assertBricksIdentical();
    }

    /**
     * A create sent with its first write that finds the name made meanwhile by the other mount is an open of that
     * file (no O_EXCL): the descriptor's later writes, which name its file's gfid, go to that file too.
     */
    @Test
    void aCreateThatLostToTheOtherMountWritesTheFileItOpened() throws Exception {
        Path dir1 = Files.createDirectories(m1.dir.resolve("lost"));
        Path dir2 = m2.dir.resolve("lost");
        var open = java.util.EnumSet.of(java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.WRITE);
        try (var ch = java.nio.channels.FileChannel.open(dir1.resolve("both"), open)) {
            Files.writeString(dir2.resolve("both"), "from m2\n"); // the name is made on the other mount first
            ch.write(ByteBuffer.wrap("A".getBytes(StandardCharsets.UTF_8)), 0); // the create goes, and loses
            ch.write(ByteBuffer.wrap("B".getBytes(StandardCharsets.UTF_8)), 1);
        }
        assertEquals("ABom m2\n", Files.readString(dir2.resolve("both")));
        assertBricksIdentical();
    }
}
