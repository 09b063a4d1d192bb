package dev.inception.nativelib;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A directory of this installation's own native libraries, extracted from the classpath.
 *
 * <p>JCuda extracts its JNI libraries to java.io.tmpdir and reuses a file that already exists there without any
 * check, so two installations with different JCuda builds would load each other's files. Here every file is
 * compared with its resource byte for byte and rewritten (atomically) when it differs, in a directory of our own:
 * {@code -Dinception.natives.dir}, else {@code ~/.cache/inception/natives/<JCuda version>-<build>}, where build is
 * a hash of this build's bridges, so two installations never share (or fight over) a directory.
 */
public final class PrivateNativeDir {

    public static final String PROPERTY = "inception.natives.dir";

    private final Path dir;

    public PrivateNativeDir(Path dir) {
        this.dir = dir;
    }

    public static PrivateNativeDir defaultDir() {
        String p = System.getProperty(PROPERTY);
        if (p != null && !p.isBlank()) {
            return new PrivateNativeDir(Path.of(p));
        }
        String cache = System.getenv("XDG_CACHE_HOME");
        Path base = cache != null && !cache.isBlank() ? Path.of(cache) : Path.of(System.getProperty("user.home"), ".cache");
        return new PrivateNativeDir(base.resolve("inception").resolve("natives")
                .resolve(jcuda.JCudaVersion.get() + "-" + buildId()));
    }

    public Path dir() {
        return dir;
    }

    /**
     * Writes the classpath resource to {@code dir/fileName} unless an identical file is already there.
     *
     * @return the file, or null when the resource does not exist
     */
    public Path extract(String resource, String fileName) throws IOException {
        byte[] content;
        try (InputStream in = PrivateNativeDir.class.getResourceAsStream(resource)) {
            if (in == null) {
                return null;
            }
            content = in.readAllBytes();
        }
        Files.createDirectories(dir);
        Path target = dir.resolve(fileName);
        if (Files.isRegularFile(target) && Files.size(target) == content.length
                && Arrays.equals(sha256(Files.readAllBytes(target)), sha256(content))) {
            return target;
        }
        sweepStaleParts();
        Path tmp = Files.createTempFile(dir, fileName, ".part");
        try {
            Files.write(tmp, content);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);   // nothing left behind when writing or moving failed
        }
        return target;
    }

    /** An interrupted extraction (a killed JVM) leaves a *.part file: remove those older than an hour. */
    private void sweepStaleParts() {
        long hourAgo = System.currentTimeMillis() - 3_600_000L;
        try (java.nio.file.DirectoryStream<Path> parts = Files.newDirectoryStream(dir, "*.part")) {
            for (Path p : parts) {
                if (Files.getLastModifiedTime(p).toMillis() < hourAgo) {
                    Files.deleteIfExists(p);
                }
            }
        } catch (IOException e) {
            // a cache we cannot tidy still works
        }
    }

    /** A short hash of the bridges and their symbol lists in this build ("nobridge" when none were built). */
    static String buildId() {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            boolean any = false;
            for (String name : new String[] {"libcudnn.so.8", "libcublas.so.12", "bridges.properties"}) {
                try (InputStream in = PrivateNativeDir.class.getResourceAsStream(
                        "/dev/inception/nativelib/linux-x86_64/" + name)) {
                    if (in != null) {
                        md.update(in.readAllBytes());
                        any = true;
                    }
                }
            }
            return any ? hex(md.digest()).substring(0, 12) : "nobridge";
        } catch (IOException | NoSuchAlgorithmException e) {
            return "unknown";
        }
    }

    static byte[] sha256(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }
}
