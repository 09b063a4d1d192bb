package dev.inception.nativelib;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What this machine has of the CUDA driver, cuDNN and cuBLAS, and by which route JCuda's JNI libraries can reach
 * them: cuDNN 8 and cuBLAS 12 natively (what JCudnn 11.7 and JCublas 12.6 were linked against), cuDNN 9 and
 * cuBLAS 13 through the bridge. Also NVRTC, which nothing requires: cuDNN opens it by soname to compile the kernels
 * of its runtime-fusion engines (`--cudnn-engines`), and refuses those engines' plans without it. Pure file-system
 * work; nothing is loaded.
 */
public record CudaDiscovery(Optional<Library> driver, Optional<Library> cudnn, Optional<Library> cublas,
                            Optional<Library> cublasLt, Optional<Library> nvrtc, List<Path> searched) {

    public static CudaDiscovery run(LibrarySearch search) {
        Optional<Library> driver = search.find("libcuda.so.1").map(p -> Library.at("libcuda.so.1", p, false));
        Optional<Library> cudnn = first(search, "libcudnn.so.8", "libcudnn.so.9");
        Optional<Library> cublas = first(search, "libcublas.so.12", "libcublas.so.13");
        // cuBLAS needs the cuBLASLt of its own major version, preferably from the same folder
        Optional<Library> lt = cublas.flatMap(b -> besideOrFound(search, b, b.soname().replace("libcublas",
                "libcublasLt")));
        // NVRTC of cuBLAS's CUDA major version (pip's CUDA 13 wheels put both in nvidia/cu13/lib)
        Optional<Library> nvrtc = cublas.flatMap(b -> besideOrFound(search, b, "libnvrtc.so."
                + b.soname().substring(b.soname().lastIndexOf('.') + 1)));
        return new CudaDiscovery(driver, cudnn, cublas, lt, nvrtc, search.dirs());
    }

    /** A library by soname, preferably from the same folder as another one. */
    private static Optional<Library> besideOrFound(LibrarySearch search, Library beside, String soname) {
        Path sibling = beside.path().resolveSibling(soname);
        Optional<Path> p = Files.isRegularFile(sibling) ? Optional.of(sibling) : search.find(soname);
        return p.map(x -> Library.at(soname, x, false));
    }

    /** The older soname first: if both exist, the JNI library's own version needs no bridge. */
    private static Optional<Library> first(LibrarySearch search, String native_, String bridged) {
        Optional<Path> n = search.find(native_);
        if (n.isPresent()) {
            return Optional.of(Library.at(native_, n.get(), false));
        }
        return search.find(bridged).map(p -> Library.at(bridged, p, true));
    }

    /** One line per missing piece: what was looked for, and what to do. Empty when everything was found. */
    public List<String> problems() {
        List<String> p = new ArrayList<>();
        if (driver.isEmpty()) {
            p.add("no CUDA driver: libcuda.so.1 not found. Install the NVIDIA driver (it provides libcuda.so.1),"
                    + " or point " + LibrarySearch.ENV + " at the folder that holds it.");
        }
        if (cudnn.isEmpty()) {
            p.add("no cuDNN: neither libcudnn.so.8 nor libcudnn.so.9 found. Install cuDNN (e.g. pip install"
                    + " nvidia-cudnn-cu13, or the cuDNN package for your CUDA), or set " + LibrarySearch.ENV + ".");
        }
        if (cublas.isEmpty()) {
            p.add("no cuBLAS: neither libcublas.so.12 nor libcublas.so.13 found. Install the CUDA toolkit's"
                    + " cuBLAS (or pip install nvidia-cublas), or set " + LibrarySearch.ENV + ".");
        } else if (cublasLt.isEmpty()) {
            p.add("cuBLAS found at " + cublas.get().path() + " but not its "
                    + cublas.get().soname().replace("libcublas", "libcublasLt") + ", which it needs.");
        }
        return p;
    }

    /** The folders holding what was found, for LD_LIBRARY_PATH (cuDNN 9 opens its sub-libraries by name). */
    public List<Path> libraryDirs() {
        List<Path> d = new ArrayList<>();
        for (Optional<Library> l : List.of(driver, cudnn, cublas, cublasLt, nvrtc)) {
            l.map(x -> x.path().getParent()).filter(x -> !d.contains(x)).ifPresent(d::add);
        }
        return d;
    }
}
