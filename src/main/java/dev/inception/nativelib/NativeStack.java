package dev.inception.nativelib;

import dev.inception.BackendUnavailableException;
import jcuda.LibUtils;
import jcuda.driver.JCudaDriver;
import jcuda.jcublas.JCublas2;
import jcuda.jcudnn.JCudnn;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * Loads the native GPU stack once per JVM, in an order that makes JCuda's JNI libraries bind to whatever this
 * machine has:
 * <ol>
 *   <li>the CUDA driver (libcuda.so.1);</li>
 *   <li>cuBLASLt and cuBLAS; for cuBLAS 13, then the bridge with soname libcublas.so.12;</li>
 *   <li>cuDNN and its sub-libraries (cuDNN opens those by soname, and a library already loaded is found by soname);
 *       for cuDNN 9, then the bridge with soname libcudnn.so.8;</li>
 *   <li>JCuda's JNI libraries, extracted to a {@link PrivateNativeDir}. JCudnn 11.7 asks for a library named after
 *       the JCuda version (JCudnn-12.6.0-linux-x86_64), which jcudnn-natives 11.7.0 does not contain; its
 *       libJCudnn-11.7.0 is extracted under that name.</li>
 * </ol>
 * Because glibc resolves a DT_NEEDED entry to an already loaded library with that soname, loading in this order
 * needs no LD_LIBRARY_PATH for JCuda itself. Nothing here runs unless a GPU backend is asked for.
 */
public final class NativeStack {

    private static final String BRIDGE_RESOURCES = "/dev/inception/nativelib/linux-x86_64/";

    private static NativeStack loaded;
    private static BackendUnavailableException failure;

    private final CudaDiscovery discovery;
    private final String cudnnRuntimeVersion;

    private NativeStack(CudaDiscovery discovery, String cudnnRuntimeVersion) {
        this.discovery = discovery;
        this.cudnnRuntimeVersion = cudnnRuntimeVersion;
    }

    public CudaDiscovery discovery() {
        return discovery;
    }

    /** cudnnGetVersion() as the loaded library reports it, e.g. "9.10.2". */
    public String cudnnRuntimeVersion() {
        return cudnnRuntimeVersion;
    }

    /**
     * Loads everything, or explains why it cannot. The outcome is remembered: native libraries cannot be unloaded,
     * so a second call gives the same stack or the same explanation.
     */
    public static synchronized NativeStack load() {
        if (loaded != null) {
            return loaded;
        }
        if (failure != null) {
            throw failure;
        }
        try {
            loaded = doLoad(CudaDiscovery.run(LibrarySearch.fromEnvironment()), PrivateNativeDir.defaultDir());
            return loaded;
        } catch (BackendUnavailableException e) {
            failure = e;
            throw e;
        }
    }

    private static NativeStack doLoad(CudaDiscovery d, PrivateNativeDir dir) {
        requireLinuxX86();
        if (!d.problems().isEmpty()) {
            throw new BackendUnavailableException(String.join(" ", d.problems())
                    + " ('inception info' lists the folders searched)");
        }
        systemLoad(d.driver().orElseThrow().path(), "the CUDA driver");
        loadMathLibraries(d, dir);
        loadJni(dir, true);
        long v = JCudnn.cudnnGetVersion();
        if (d.cudnn().orElseThrow().bridged() && v < 9000) {
            throw new BackendUnavailableException("the cuDNN bridge is loaded but could not open libcudnn.so.9 (it"
                    + " answered " + v + "); is " + d.cudnn().get().path() + " loadable? Check with: ldd "
                    + d.cudnn().get().path());
        }
        return new NativeStack(d, cudnnVersionString(v));
    }

    private static void requireLinuxX86() {
        String os = System.getProperty("os.name") + "/" + System.getProperty("os.arch");
        if (!os.startsWith("Linux/") || !(os.endsWith("amd64") || os.endsWith("x86_64"))) {
            throw new BackendUnavailableException("the GPU backend supports Linux x86_64 only (this is " + os + ")");
        }
    }

    /** cuBLASLt, cuBLAS and cuDNN with its sub-libraries, each followed by its bridge where one is needed. */
    private static void loadMathLibraries(CudaDiscovery d, PrivateNativeDir dir) {
        systemLoad(d.cublasLt().orElseThrow().path(), "cuBLASLt");
        systemLoad(d.cublas().orElseThrow().path(), "cuBLAS");
        if (d.cublas().get().bridged()) {
            systemLoad(bridge(dir, "libcublas.so.12"), "the cuBLAS 12 -> 13 bridge");
        }
        Library cudnn = d.cudnn().orElseThrow();
        d.nvrtc().ifPresent(NativeStack::preloadNvrtc);
        systemLoad(cudnn.path(), "cuDNN");
        preloadSubLibraries(cudnn);
        if (cudnn.bridged()) {
            systemLoad(bridge(dir, "libcudnn.so.8"), "the cuDNN 8 -> 9 bridge");
        }
    }

    /** cuDNN's and cuBLAS's versions as the libraries themselves report them, e.g. "9.10.2" and "13.1.0". */
    public record LibraryVersions(String cudnn, String cublas) {
    }

    private static LibraryVersions versions;

    /**
     * Reads cuDNN's and cuBLAS's full versions from the libraries (cudnnGetVersion, cublasGetProperty), which need
     * no driver and no GPU: on a machine without a driver, only cuBLAS, cuDNN, the bridges and their two JNI
     * libraries are loaded, for this purpose alone. A pip wheel's file name says only "libcudnn.so.9"; this says
     * which 9.
     */
    public static synchronized LibraryVersions libraryVersions() {
        if (versions != null) {
            return versions;
        }
        if (loaded == null) {
            requireLinuxX86();
            CudaDiscovery d = CudaDiscovery.run(LibrarySearch.fromEnvironment());
            if (d.cudnn().isEmpty() || d.cublas().isEmpty() || d.cublasLt().isEmpty()) {
                throw new BackendUnavailableException("cuDNN or cuBLAS not found: " + String.join(" ", d.problems()));
            }
            PrivateNativeDir dir = PrivateNativeDir.defaultDir();
            loadMathLibraries(d, dir);
            loadJni(dir, false);
        }
        int[] major = new int[1];
        int[] minor = new int[1];
        int[] patch = new int[1];
        // libraryPropertyType: MAJOR_VERSION 0, MINOR_VERSION 1, PATCH_LEVEL 2
        int status = JCublas2.cublasGetProperty(0, major) | JCublas2.cublasGetProperty(1, minor)
                | JCublas2.cublasGetProperty(2, patch);
        String cublas = status == 0 ? major[0] + "." + minor[0] + "." + patch[0] : "unknown (cublasGetProperty failed)";
        versions = new LibraryVersions(cudnnVersionString(JCudnn.cudnnGetVersion()), cublas);
        return versions;
    }

    /** cudnnGetVersion()'s number as text: cuDNN 9 encodes 9.1.2 as 90102, cuDNN 8 encoded 8.9.2 as 8902. */
    static String cudnnVersionString(long v) {
        return v >= 10000 ? v / 10000 + "." + (v % 10000) / 100 + "." + v % 100
                : v / 1000 + "." + (v % 1000) / 100 + "." + v % 100;
    }

    /**
     * cuDNN dlopen()s its sub-libraries (libcudnn_cnn.so.9, libcudnn_ops_infer.so.8, ...) by soname. Loading them
     * here, from cuDNN's own folder, makes those calls find them without LD_LIBRARY_PATH. Their mutual
     * dependencies decide the order, so this retries until nothing more loads; what fails here may still load
     * later through LD_LIBRARY_PATH, which the launcher sets.
     */
    private static void preloadSubLibraries(Library cudnn) {
        String major = cudnn.soname().substring(cudnn.soname().lastIndexOf('.') + 1);
        loadWhatLoads(beside(cudnn, "libcudnn_*.so." + major));
    }

    /**
     * NVRTC and its builtins, loaded so that cuDNN's dlopen by soname finds them wherever the JVM was started from
     * (a Spark executor has no launcher to set LD_LIBRARY_PATH). Optional: a failure only costs cuDNN its
     * runtime-compiled engines.
     */
    private static void preloadNvrtc(Library nvrtc) {
        List<Path> libraries = beside(nvrtc, "libnvrtc-builtins.so.*");
        libraries.add(nvrtc.path());
        loadWhatLoads(libraries);
    }

    /** The files in a library's folder that match a glob; none where the folder cannot be read. */
    private static List<Path> beside(Library library, String glob) {
        List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(library.path().getParent(), glob)) {
            s.forEach(found::add);
        } catch (IOException e) {
            // nothing beside it: LD_LIBRARY_PATH, which the launcher sets, may still find them
        }
        return found;
    }

    /**
     * Loads each library that loads; their mutual dependencies decide the order, so this retries until nothing more
     * loads. What fails here may still load later through LD_LIBRARY_PATH.
     */
    private static void loadWhatLoads(List<Path> libraries) {
        List<Path> pending = new ArrayList<>(libraries);
        boolean progress = true;
        while (progress && !pending.isEmpty()) {
            progress = false;
            for (Path p : List.copyOf(pending)) {
                try {
                    System.load(p.toString());
                    pending.remove(p);
                    progress = true;
                } catch (UnsatisfiedLinkError e) {
                    // a dependency not loaded yet: next round
                }
            }
        }
    }

    private static Path bridge(PrivateNativeDir dir, String soname) {
        Path p;
        try {
            p = dir.extract(BRIDGE_RESOURCES + soname, soname);
        } catch (IOException e) {
            throw new BackendUnavailableException("cannot write the bridge to " + dir.dir() + ": " + e.getMessage(), e);
        }
        if (p == null) {
            throw new BackendUnavailableException("this machine has " + soname.replace(".so.8", ".so.9")
                    .replace(".so.12", ".so.13") + ", which needs the " + soname + " bridge, but this build has none ("
                    + bridgeStatus() + "); rebuild where gcc and readelf exist");
        }
        return p;
    }

    /** What the build said about the bridges: "built", "missing-gcc", ... */
    public static String bridgeStatus() {
        Properties p = new Properties();
        try (InputStream in = NativeStack.class.getResourceAsStream(BRIDGE_RESOURCES + "bridges.properties")) {
            if (in == null) {
                return "not built";
            }
            p.load(in);
        } catch (IOException e) {
            return "unreadable";
        }
        return p.getProperty("status", "unknown");
    }

    public static boolean bridgeAvailable(String soname) {
        return NativeStack.class.getResource(BRIDGE_RESOURCES + soname) != null;
    }

    /**
     * Extracts the JNI libraries under the names JCuda asks for, then lets JCuda load them from there (the driver's
     * JNI library only with the driver: JCublas2's and JCudnn's need nothing but cuBLAS and cuDNN): while its
     * classes initialise, java.io.tmpdir points at our directory, where JCuda's LibUtils finds the files we wrote.
     */
    private static void loadJni(PrivateNativeDir dir, boolean withDriver) {
        String jcudaVersion = jcuda.JCudaVersion.get();
        String jcudnn = mavenVersion("jcudnn", jcudaVersion);
        String[][] libs = {
            {"JCudaDriver-" + jcudaVersion, "JCudaDriver-" + jcudaVersion},
            {"JCudaRuntime-" + jcudaVersion, "JCudaRuntime-" + jcudaVersion},
            {"JCublas2-" + jcudaVersion, "JCublas2-" + jcudaVersion},
            {"JCudnn-" + jcudnn, "JCudnn-" + jcudaVersion},   // the name mismatch fix
        };
        try {
            for (String[] l : libs) {
                String from = "/lib/" + LibUtils.createLibraryFileName(LibUtils.createPlatformLibraryName(l[0]));
                String to = LibUtils.createLibraryFileName(LibUtils.createPlatformLibraryName(l[1]));
                if (dir.extract(from, to) == null) {
                    throw new BackendUnavailableException("the JCuda native library " + from + " is not on the classpath;"
                            + " add the org.jcuda *-natives jars for linux-x86_64");
                }
            }
        } catch (IOException e) {
            throw new BackendUnavailableException("cannot write JCuda's native libraries to " + dir.dir() + ": "
                    + e.getMessage() + " (set -D" + PrivateNativeDir.PROPERTY + "=DIR)", e);
        }
        String tmp = System.getProperty("java.io.tmpdir");
        System.setProperty("java.io.tmpdir", dir.dir().toString());
        try {
            if (withDriver) {
                JCudaDriver.setExceptionsEnabled(true);
            }
            JCublas2.initialize();
            JCudnn.initialize();
        } catch (UnsatisfiedLinkError e) {
            throw new BackendUnavailableException("JCuda's native libraries did not load: " + firstLine(e.getMessage()), e);
        } finally {
            System.setProperty("java.io.tmpdir", tmp);
        }
    }

    private static String mavenVersion(String artifact, String fallback) {
        Properties p = new Properties();
        try (InputStream in = JCudnn.class.getResourceAsStream("/META-INF/maven/org.jcuda/" + artifact + "/pom.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            return fallback;
        }
        return p.getProperty("version", fallback);
    }

    private static void systemLoad(Path lib, String what) {
        try {
            System.load(lib.toAbsolutePath().toString());
        } catch (UnsatisfiedLinkError e) {
            throw new BackendUnavailableException("loading " + what + " from " + lib + " failed: "
                    + firstLine(e.getMessage()), e);
        }
    }

    private static String firstLine(String s) {
        return s == null ? "(no message)" : s.lines().findFirst().orElse(s);
    }
}
