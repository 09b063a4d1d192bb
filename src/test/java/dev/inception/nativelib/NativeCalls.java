package dev.inception.nativelib;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Which CUDA driver, cuDNN and cuBLAS functions the product calls, read from its sources (each call is written
 * {@code JCudaDriver.cuX(}, {@code JCudnn.cudnnX(} or {@code JCublas2.cublasX(}), and whether a native library
 * exports them (readelf). A stand-in library (the fake GPU) or a real one (RealCudnnTest) is then checked against what
 * the code calls today, not against a list kept by hand: a function the fake lacks would be answered by the
 * bridge's NOT_SUPPORTED stub, or kill the JVM for the driver, and the fake-GPU tests would exercise a path that
 * a real GPU never takes.
 */
public final class NativeCalls {

    /** A JCuda class and the C prefix of the functions it wraps. */
    public enum Api {
        DRIVER("JCudaDriver", "cu"), CUDNN("JCudnn", "cudnn"), CUBLAS("JCublas2", "cublas");

        final Pattern call;

        Api(String javaClass, String prefix) {
            call = Pattern.compile("\\b" + javaClass + "\\.(" + prefix + "\\w+)\\(");
        }
    }

    private NativeCalls() {
    }

    /** The Java names of the API's functions that src/main/java calls. */
    public static Set<String> called(Api api) throws IOException {
        Set<String> names = new TreeSet<>();
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            files.filter(f -> f.toString().endsWith(".java")).forEach(f -> {
                try {
                    Matcher m = api.call.matcher(Files.readString(f));
                    while (m.find()) {
                        names.add(m.group(1));
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
        return names;
    }

    /** The functions a shared library defines, without symbol versions. */
    public static Set<String> exported(Path lib) throws Exception {
        Process p = new ProcessBuilder("readelf", "--dyn-syms", "-W", lib.toString()).redirectErrorStream(true).start();
        Set<String> names = new TreeSet<>();
        for (String line : new String(p.getInputStream().readAllBytes()).lines().toList()) {
            String[] f = line.trim().split("\\s+");
            // Num: Value Size Type Bind Vis Ndx Name; defined functions only
            if (f.length >= 8 && f[3].equals("FUNC") && !f[6].equals("UND")) {
                names.add(f[7].replaceAll("@.*", ""));
            }
        }
        assertEquals(0, p.waitFor(), "readelf " + lib);
        return names;
    }

    /**
     * The called functions that none of the symbols serves. A JCuda method reaches the C function of its name, or
     * the versioned one its header maps the name to (cuMemAlloc_v2, cublasSgemm_v2), or for cuGraphInstantiate,
     * cuGraphInstantiateWithFlags (CUDA 12's header macro); JCublas's {@code _new} methods call the plain name with
     * cuBLAS 11's signature.
     */
    public static Set<String> missing(Api api, Set<String> symbols) throws IOException {
        Set<String> missing = new TreeSet<>();
        for (String javaName : called(api)) {
            String c = javaName.endsWith("_new") ? javaName.substring(0, javaName.length() - 4) : javaName;
            boolean found = symbols.contains(c) || symbols.contains(c + "WithFlags")
                    || symbols.stream().anyMatch(s -> s.matches(Pattern.quote(c) + "_v\\d+"));
            if (!found) {
                missing.add(javaName);
            }
        }
        return missing;
    }
}
