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
 *   <li>Python wheels (pip's nvidia-* packages) in {@code $VIRTUAL_ENV}, {@code $CONDA_PREFIX}, {@code ~/.local},
 *       {@code /usr/local}, {@code /usr}, {@code /opt/conda}: {@code site-packages/nvidia/{cudnn,cublas,cu13,...}/lib};</li>
 *   <li>{@code /usr/local/cuda/lib64} and its {@code targets/x86_64-linux/lib};</li>
 *   <li>the system: {@code /usr/lib/x86_64-linux-gnu}, {@code /usr/lib64}, {@code /lib/x86_64-linux-gnu},
 *       {@code /usr/lib}, {@code /usr/lib/wsl/lib}.</li>
 * </ol>
 * Absolute standard paths are resolved under {@code root} so tests can run discovery on a fake tree.
 */
public final class LibrarySearch {

    public static final String PROPERTY = "inception.cuda.libs";
    public static final String ENV = "INCEPTION_CUDA_LIBS";

    /** Sub-folders of site-packages/nvidia that hold CUDA 12 and CUDA 13 wheel libraries. */
    private static final String[] WHEEL_PACKAGES = {"cudnn", "cublas", "cu13", "cuda_runtime", "cuda_nvrtc"};

    private final List<Path> dirs;

    private LibrarySearch(List<Path> dirs) {
        this.dirs = List.copyOf(dirs);
    }

    public static LibrarySearch fromEnvironment() {
        return of(System.getenv(), System.getProperty(PROPERTY), Path.of("/"));
    }

    public static LibrarySearch of(Map<String, String> env, String overrideProperty, Path root) {
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
        if (env.get("HOME") != null) {
            prefixes.add(Path.of(env.get("HOME"), ".local"));
        }
        prefixes.add(root.resolve("usr/local"));
        prefixes.add(root.resolve("usr"));
        prefixes.add(root.resolve("opt/conda"));
        for (Path prefix : prefixes) {
            for (Path sitePackages : sitePackages(prefix)) {
                for (String pkg : WHEEL_PACKAGES) {
                    d.add(sitePackages.resolve("nvidia").resolve(pkg).resolve("lib"));
                }
            }
        }
        for (String sys : new String[] {"usr/local/cuda/lib64", "usr/local/cuda/targets/x86_64-linux/lib",
                "usr/lib/x86_64-linux-gnu", "usr/lib64", "lib/x86_64-linux-gnu", "usr/lib", "usr/lib/wsl/lib"}) {
            d.add(root.resolve(sys));
        }
        return new LibrarySearch(new ArrayList<>(d));
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
