package dev.inception.weights;

import dev.inception.io.InputFiles;
import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.dataset.ContiguousDataset;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Opens HDF5 files that users name (weights, features, heads) and reads their datasets with the checks jhdf leaves
 * to its caller: the file is a readable regular file, it is HDF5 (the signature at offset 0, or at 512, 1024, ...
 * after a user block, a valid HDF5 variant), a dataset has the element type the caller needs, and its declared size
 * fits both a Java array and the file before a byte of it is read. Without these, a crafted header asking for 6 GB
 * surfaces as "integer overflow" or an OutOfMemoryError, and a float64 dataset as a ClassCastException.
 */
public final class Hdf5Input {

    private static final byte[] SIGNATURE = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};

    /** Java arrays hold a little under 2^31 elements. */
    private static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    /** An open file with its name for messages and its length, for the checks of declared sizes. */
    public record Source(HdfFile h5, String name, long length) implements AutoCloseable {
        @Override
        public void close() {
            h5.close();
        }
    }

    private Hdf5Input() {
    }

    /**
     * Opens a file a user named; {@code kind} says what it should be, for the message when it is not HDF5
     * (e.g. "Keras weights are .h5 files written by model.save_weights() or model.save()").
     */
    public static Source open(Path file, String kind) {
        String problem = InputFiles.problem(file);
        if (problem != null) {
            throw new WeightsFileException(file + ": " + problem);
        }
        long length;
        try (FileChannel ch = FileChannel.open(file)) {
            length = ch.size();
            checkSignature(offset -> {
                ByteBuffer b = ByteBuffer.allocate(SIGNATURE.length);
                while (b.hasRemaining() && ch.read(b, offset + b.position()) > 0) {
                    // a short read only happens at the end of the file
                }
                return b.array();
            }, length, file.toString(), kind);
        } catch (IOException e) {
            throw new WeightsFileException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
        return wrap(() -> new HdfFile(file), file.toString(), length);
    }

    /** The same checks on bytes in memory: for the fuzz tests, which would otherwise spend their time on files. */
    public static Source open(byte[] bytes, String name, String kind) {
        try {
            checkSignature(offset -> Arrays.copyOfRange(bytes, (int) offset,
                    (int) Math.min(bytes.length, offset + SIGNATURE.length)), bytes.length, name, kind);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return wrap(() -> HdfFile.fromBytes(bytes), name, bytes.length);
    }

    private interface Opener {
        HdfFile open();
    }

    private static Source wrap(Opener opener, String name, long length) {
        try {
            return new Source(opener.open(), name, length);
        } catch (RuntimeException e) {
            throw new WeightsFileException(name + " is truncated or corrupt: its HDF5 superblock cannot be read ("
                    + e.getMessage() + ")", e);
        }
    }

    private interface ReadAt {
        byte[] read(long offset) throws IOException;
    }

    /** HDF5 looks for its signature at 0, then at every power of two from 512 (after a user block). */
    private static void checkSignature(ReadAt in, long length, String name, String kind) throws IOException {
        for (long offset = 0; offset + SIGNATURE.length <= length; offset = offset == 0 ? 512 : offset * 2) {
            if (Arrays.equals(in.read(offset), SIGNATURE)) {
                return;
            }
        }
        throw new WeightsFileException(name + " is not an HDF5 file (no HDF5 signature); " + kind);
    }

    /** A float32 dataset's elements, in row-major order. */
    public static float[] floats(Source in, Dataset ds, String what) {
        checkReadable(in, ds, what, float.class, "float32");
        return (float[]) data(in, ds, what, float.class);
    }

    /** An int32 dataset's elements, in row-major order. */
    public static int[] ints(Source in, Dataset ds, String what) {
        checkReadable(in, ds, what, int.class, "int32");
        return (int[]) data(in, ds, what, int.class);
    }

    private static Object data(Source in, Dataset ds, String what, Class<?> type) {
        Object data;
        try {
            data = ds.getDataFlat();
        } catch (RuntimeException e) {
            // jhdf's answers to damaged layouts (bad addresses, broken chunk indexes) are assorted runtime exceptions
            throw new WeightsFileException(in.name() + ": '" + what + "' cannot be read: its storage is damaged or"
                    + " truncated (" + e.getClass().getSimpleName() + ")", e);
        }
        if (data.getClass().getComponentType() == type) {
            return data;
        }
        // jhdf gives an Object[] for a chunked dataset none of whose chunks was written; HDF5 (and h5py) read
        // every element of such a dataset as the fill value, 0 unless the file sets another
        if (ds.getStorageInBytes() == 0) {
            Object fill = ds.getFillValue();
            double v = fill instanceof Number n ? n.doubleValue() : 0;
            int n = (int) ds.getSize();
            if (type == float.class) {
                float[] f = new float[n];
                Arrays.fill(f, (float) v);
                return f;
            }
            int[] i = new int[n];
            Arrays.fill(i, (int) v);
            return i;
        }
        throw new WeightsFileException(in.name() + ": '" + what + "' cannot be read: some of its chunks are missing"
                + " or damaged");
    }

    /** Type and declared size, checked before any element is read. */
    private static void checkReadable(Source in, Dataset ds, String what, Class<?> type, String typeName) {
        Class<?> actual;
        try {
            actual = ds.getJavaType();
        } catch (RuntimeException e) {
            actual = null;
        }
        if (actual != type) {
            throw new WeightsFileException(in.name() + ": '" + what + "' is " + typeName(actual) + ", not "
                    + typeName);
        }
        long elements = ds.getSize();
        if (elements < 0 || elements > MAX_ELEMENTS) {
            throw new WeightsFileException(in.name() + ": '" + what + "' declares " + elements + " elements ("
                    + Arrays.toString(ds.getDimensions()) + "), more than one array can hold: a crafted or corrupt file");
        }
        long bytes = ds.getSizeInBytes();
        // contiguous data is stored as is, so it cannot be larger than the file; chunked data can (compressed, or
        // chunks never written, which read as the fill value), up to the heap
        if (ds instanceof ContiguousDataset && bytes > in.length()) {
            throw new WeightsFileException(in.name() + ": '" + what + "' declares " + bytes + " bytes of data ("
                    + Arrays.toString(ds.getDimensions()) + ") but the file has " + in.length()
                    + ": truncated, or a crafted header");
        }
        // twice the data: what is read, and the copy every caller makes into its own layout (rows, Weight)
        Runtime rt = Runtime.getRuntime();
        long free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        if (2 * bytes > free) {
            throw new WeightsFileException(in.name() + ": '" + what + "' declares " + Arrays.toString(ds.getDimensions())
                    + ", " + bytes / (1 << 20) + " MiB, which with its copy is more than the " + free / (1 << 20)
                    + " MiB of Java heap left: a crafted or damaged file, or raise the heap with"
                    + " INCEPTION_JAVA_OPTS=-Xmx...");
        }
    }

    private static String typeName(Class<?> javaType) {
        if (javaType == null) {
            return "of an unreadable type";
        }
        String t = javaType.getSimpleName();
        return switch (t) {
            case "double" -> "float64";
            case "long" -> "int64";
            case "float" -> "float32";
            case "int" -> "int32";
            case "short" -> "int16";
            case "byte" -> "int8";
            default -> t;
        };
    }
}
