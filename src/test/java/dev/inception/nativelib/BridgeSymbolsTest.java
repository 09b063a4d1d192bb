package dev.inception.nativelib;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bridge must export every symbol the JNI library references from the old library, under the old version node:
 * a single missing one kills the JVM at its first call. Compared with readelf, independently of the build script.
 */
class BridgeSymbolsTest {

    static List<String> readelf(Path lib) throws Exception {
        Process p = new ProcessBuilder("readelf", "--dyn-syms", "-W", lib.toString()).start();
        List<String> lines = new String(p.getInputStream().readAllBytes()).lines().toList();
        assertEquals(0, p.waitFor());
        return lines;
    }

    static Path jni(String glob) throws Exception {
        try (DirectoryStream<Path> s = Files.newDirectoryStream(Path.of("target/jni/lib"), glob)) {
            return s.iterator().next();
        }
    }

    @ParameterizedTest
    @CsvSource({"libJCudnn-*.so, libcudnn.so.8", "libJCublas2-*.so, libcublas.so.12"})
    void bridgeExportsEverySymbolTheJniLibraryNeeds(String jniGlob, String soname) throws Exception {
        TreeSet<String> needed = new TreeSet<>();
        for (String line : readelf(jni(jniGlob))) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 8 && f[6].equals("UND") && f[7].endsWith("@" + soname)) {
                needed.add(f[7].substring(0, f[7].indexOf('@')));
            }
        }
        TreeSet<String> exported = new TreeSet<>();
        Path bridge = Path.of("target/classes/dev/inception/nativelib/linux-x86_64", soname);
        for (String line : readelf(bridge)) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 8 && !f[6].equals("UND") && f[7].endsWith("@@" + soname)) {
                exported.add(f[7].substring(0, f[7].indexOf('@')));
            }
        }
        assertTrue(needed.size() > 200, "JNI library references " + needed.size() + " symbols");
        List<String> missing = new ArrayList<>(needed);
        missing.removeAll(exported);
        assertEquals(List.of(), missing, "symbols the bridge lacks");
    }
}
