package dev.inception.nativelib;

import java.nio.file.Path;
import java.util.stream.Collectors;

/**
 * Prints the folders of the CUDA libraries discovery finds, colon-separated, for launchers to put on
 * LD_LIBRARY_PATH: cuDNN 9 opens its sub-libraries by soname, and cuDNN's sub-libraries need cuBLASLt.
 * Prints nothing (and exits 0) when nothing is found.
 */
public final class LibraryPath {

    private LibraryPath() {
    }

    public static void main(String[] args) {
        CudaDiscovery d = CudaDiscovery.run(LibrarySearch.fromEnvironment());
        System.out.println(d.libraryDirs().stream().map(Path::toString).collect(Collectors.joining(":")));
    }
}
