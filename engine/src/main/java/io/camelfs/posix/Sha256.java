package io.camelfs.posix;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SHA-256 of bytes in native memory, for the per-block checksums of data heal. Uses libcrypto (OpenSSL) when the
 * machine has it: it runs at the CPU's SHA instructions' speed whatever the JIT does -- a brick node runs C1 only,
 * which has no SHA-256 intrinsic. Without libcrypto, the JDK's MessageDigest gives the same digests, slower.
 */
public final class Sha256 {
    private static final Logger LOG = LoggerFactory.getLogger(Sha256.class);
    private static final LibCrypto NATIVE = load();

    /** The one libcrypto call used: SHA256(data, length, out). */
    public interface LibCrypto {
        Pointer SHA256(@In Pointer data, long length, @Out byte[] digest);
    }

    private Sha256() {
    }

    private static LibCrypto load() {
        for (String name : new String[] {"crypto.so.3", "crypto"}) {
            try {
                LibCrypto c = LibraryLoader.create(LibCrypto.class).load(name);
                byte[] probe = new byte[32];
                Pointer empty = Posix.allocate(1);
                c.SHA256(empty, 0, probe);
                return c;
            } catch (RuntimeException | LinkageError e) {
                LOG.debug("libcrypto {} not usable: {}", name, e.toString());
            }
        }
        LOG.info("libcrypto not found: block checksums use the JDK's SHA-256");
        return null;
    }

    /** Whether digests are computed natively. */
    public static boolean isNative() {
        return NATIVE != null;
    }

    /** SHA-256 of length bytes at data. */
    public static byte[] digest(Pointer data, int length) {
        byte[] out = new byte[32];
        if (NATIVE != null) {
            NATIVE.SHA256(data, length, out);
            return out;
        }
        byte[] copy = new byte[length];
        data.get(0, copy, 0, length);
        try {
            return MessageDigest.getInstance("SHA-256").digest(copy);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
