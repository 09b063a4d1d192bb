package dev.inception.nativelib;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Where CUDA, cuDNN and cuBLAS libraries are looked for, in this order:
 * <ol>
 *   <li>the override: system property {@code inception.cuda.libs}, then environment {@code INCEPTION_CUDA_LIBS}
 *       (colon-separated directories);</li>
 *   <li>{@code LD_LIBRARY_PATH};</li>
 *   <li>{@code $CUDNN_HOME/lib}, {@code $CUDNN_HOME/lib64}, {@code $CUDA_HOME/lib64}, {@code $CUDA_PATH/lib64};</li>
 *   <li>Python wheels (pip's nvidia-* packages), {@code site-packages/nvidia/*&#47;lib}, under: {@code $VIRTUAL_ENV},
 *       {@code $CONDA_PREFIX}, the parent of each {@code $PATH} entry (a venv's {@code bin/} on PATH names the venv),
 *       every directory of the {@code python3} on PATH's {@code sys.path} (a venv that nothing in the environment
 *       names, as on GPU hosts whose only cuDNN is PyTorch's), {@code ~/.local}, {@code /usr/local}, {@code /usr},
 *       {@code /opt/conda};</li>
 *   <li>{@code /usr/local/cuda/lib64} and its {@code targets/x86_64-linux/lib};</li>
 *   <li>the driver's folders of container images: {@code /usr/local/nvidia/lib64}, {@code /usr/local/nvidia/lib};</li>
 *   <li>the system: {@code /usr/lib/x86_64-linux-gnu}, {@code /usr/lib64}, {@code /lib/x86_64-linux-gnu},
 *       {@code /usr/lib}, {@code /usr/lib/wsl/lib};</li>
 *   <li>last, the folder ldconfig's cache gives for libcuda.so.1.</li>
 * </ol>
 * Absolute standard paths are resolved under {@code root} so tests can run discovery on a fake tree; ldconfig is
 * asked only for the real root.
 */
public final class LibrarySearch {

    public static final String PROPERTY = "inception.cuda.libs";
    public static final String ENV = "INCEPTION_CUDA_LIBS";

    private final List<Path> dirs;

    private LibrarySearch(List<Path> dirs) {
        this.dirs = List.copyOf(dirs);
    }

    private static LibrarySearch environmental;
    private static String environmentalProperty;

    /**
     * This process's search. The folders to search do not change within a process, so python3 and ldconfig are
     * asked once, not once per discovery ({@code info} and a GPU start discover several times); whether a library
     * is there is still checked on every {@link #find}.
     */
    public static synchronized LibrarySearch fromEnvironment() {
        String property = System.getProperty(PROPERTY);
        if (environmental == null || !java.util.Objects.equals(property, environmentalProperty)) {
            environmental = of(System.getenv(), property, Path.of("/"));
            environmentalProperty = property;
        }
        return environmental;
    }

    /** Discovery under {@code root}, with python3's sys.path from env's PATH; ldconfig only when root is "/". */
    public static LibrarySearch of(Map<String, String> env, String overrideProperty, Path root) {
        Optional<Path> ldconfigDriver = root.getParent() == null && root.isAbsolute()
                ? HostProbes.ldconfigFolder("libcuda.so.1") : Optional.empty();
        return of(env, overrideProperty, root, HostProbes.pythonSysPath(env), ldconfigDriver);
    }

    /**
     * @param pythonSysPath  the python3 on PATH's sys.path entries
     * @param ldconfigDriver the folder ldconfig's cache gives for libcuda.so.1
     */
    static LibrarySearch of(Map<String, String> env, String overrideProperty, Path root, List<Path> pythonSysPath,
                            Optional<Path> ldconfigDriver) {
        Set<Path> d = new LinkedHashSet<>();
        addPathList(d, overrideProperty);
        addPathList(d, env.get(ENV));
        addPathList(d, env.get("LD_LIBRARY_PATH"));
        for (String var : new String[] {"CUDNN_HOME", "CUDA_HOME", "CUDA_PATH"}) {
            String v = env.get(var);
            if (v != null && !v.isBlank()) {
                if (var.equals("CUDNN_HOME")) {
                    d.add(Path.of(v, "lib"));
                }
                d.add(Path.of(v, "lib64"));
            }
        }
        List<Path> prefixes = new ArrayList<>();
        for (String var : new String[] {"VIRTUAL_ENV", "CONDA_PREFIX"}) {
            if (env.get(var) != null && !env.get(var).isBlank()) {
                prefixes.add(Path.of(env.get(var)));
            }
        }
        String path = env.get("PATH");
        if (path != null) {
            for (String entry : path.split(":")) {
                Path parent = entry.isBlank() ? null : Path.of(entry).getParent();
                if (parent != null && parent.getParent() != null) {   // not "/": its site-packages are /usr's
                    prefixes.add(parent);
                }
            }
        }
        if (env.get("HOME") != null) {
            prefixes.add(Path.of(env.get("HOME"), ".local"));
        }
        prefixes.add(root.resolve("usr/local"));
        prefixes.add(root.resolve("usr"));
        prefixes.add(root.resolve("opt/conda"));
        Set<Path> sitePackages = new LinkedHashSet<>();
        for (Path prefix : prefixes) {
            sitePackages.addAll(sitePackages(prefix));
        }
        sitePackages.addAll(pythonSysPath);
        for (Path sp : sitePackages) {
            d.addAll(wheelLibraryDirs(sp));
        }
        for (String sys : new String[] {"usr/local/cuda/lib64", "usr/local/cuda/targets/x86_64-linux/lib",
                "usr/local/nvidia/lib64", "usr/local/nvidia/lib",
                "usr/lib/x86_64-linux-gnu", "usr/lib64", "lib/x86_64-linux-gnu", "usr/lib", "usr/lib/wsl/lib"}) {
            d.add(root.resolve(sys));
        }
        ldconfigDriver.ifPresent(d::add);
        return new LibrarySearch(new ArrayList<>(d));
    }

    /** site-packages/nvidia/NAME/lib for every NAME present (cudnn, cublas, cu13, ...), sorted by name. */
    private static List<Path> wheelLibraryDirs(Path sitePackages) {
        Path nvidia = sitePackages.resolve("nvidia");
        List<Path> found = new ArrayList<>();
        if (!Files.isDirectory(nvidia)) {
            return found;
        }
        try (DirectoryStream<Path> pkgs = Files.newDirectoryStream(nvidia)) {
            for (Path pkg : pkgs) {
                if (Files.isDirectory(pkg.resolve("lib"))) {
                    found.add(pkg.resolve("lib"));
                }
            }
        } catch (IOException e) {
            // unreadable directory: nothing to find there
        }
        found.sort(null);
        return found;
    }

    /** prefix/lib{,64}/python3.x/{site,dist}-packages, and Debian's prefix/lib/python3/dist-packages. */
    private static List<Path> sitePackages(Path prefix) {
        List<Path> found = new ArrayList<>();
        for (String lib : new String[] {"lib", "lib64"}) {
            Path libDir = prefix.resolve(lib);
            if (!Files.isDirectory(libDir)) {
                continue;
            }
            try (DirectoryStream<Path> pythons = Files.newDirectoryStream(libDir, "python3*")) {
                for (Path py : pythons) {
                    for (String kind : new String[] {"site-packages", "dist-packages"}) {
                        if (Files.isDirectory(py.resolve(kind))) {
                            found.add(py.resolve(kind));
                        }
                    }
                }
            } catch (IOException e) {
                // unreadable directory: nothing to find there
            }
        }
        return found;
    }

    private static void addPathList(Set<Path> d, String list) {
        if (list == null) {
            return;
        }
        for (String p : list.split(":")) {
            if (!p.isBlank()) {
                d.add(Path.of(p));
            }
        }
    }

    /** The directories searched, in order. */
    public List<Path> dirs() {
        return dirs;
    }

    /** The first directory's file of this exact name (e.g. "libcudnn.so.9"), if any. */
    public Optional<Path> find(String fileName) {
        for (Path dir : dirs) {
            Path p = dir.resolve(fileName);
            if (Files.isRegularFile(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}
