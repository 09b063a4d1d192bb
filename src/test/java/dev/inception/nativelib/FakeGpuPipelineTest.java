package dev.inception.nativelib;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Overlapped transfers on the fake GPU (FAKE_GPU_LOG records every asynchronous copy with its stream, every event
 * record, wait and synchronisation): three batches streamed through {@code predictLater}, each submitted before the
 * previous one is collected. Uploads and downloads go on a copy stream of their own, outputs leave the arena on the
 * compute stream, each stage waits for the event of the stage before, and batch i+1's upload is enqueued before the
 * host waits for batch i, which is what lets them overlap on a real GPU.
 */
class FakeGpuPipelineTest {

    @TempDir
    static Path tmp;

    static List<String> pass;
    static List<String> out;
    static String text;
    static FakeGpu.Recording recording;

    @BeforeAll
    static void record() throws Exception {
        FakeGpu.Recording r = FakeGpu.record(tmp, "pipeline");
        recording = r;
        out = r.probe().out();
        text = r.probe().text();
        pass = r.between("begin pipeline", "end pipeline");
    }

    static int stream(String line) {
        return Integer.parseInt(line.substring(line.lastIndexOf(' ') + 1));
    }

    static List<Integer> indexes(String prefix) {
        List<Integer> at = new ArrayList<>();
        for (int i = 0; i < pass.size(); i++) {
            if (pass.get(i).startsWith(prefix)) {
                at.add(i);
            }
        }
        return at;
    }

    @Test
    void everyBatchIsAnsweredInOrderAndKeptForItsOwner() {
        assertTrue(out.contains("first=2"), text);
        assertTrue(out.contains("second=2 third=2"), text);
        assertTrue(out.contains("first again=2"), text);
    }

    /**
     * Each batch reaches the device as the host packs it for the CPU executors (Preprocess.packBytes): the GPU
     * resizes the images straight into its pinned buffer instead, and the fake hashes what each upload carried.
     * The three batches differ (two images of different sizes, in different orders), so a misplaced image shows.
     */
    @Test
    void eachUploadCarriesItsBatchPackedAsTheHostPacksIt() {
        String expected = out.stream().filter(l -> l.startsWith("expected uploads ")).findFirst().orElseThrow();
        List<String> hashes = List.of(expected.substring("expected uploads ".length()).split(" "));
        assertEquals(3, hashes.stream().distinct().count(), expected);
        List<String> uploads = indexes("copy htod ").stream().map(pass::get).toList();
        assertEquals(hashes, uploads.stream().map(l -> l.split(" ")[4]).toList(), uploads.toString());
    }

    /** The next batch's upload is enqueued before the host waits for the batch before it. */
    @Test
    void theNextUploadIsEnqueuedBeforeThePreviousBatchIsAwaited() {
        List<Integer> uploads = indexes("copy htod ");
        List<Integer> waits = indexes("event ").stream().filter(i -> pass.get(i).endsWith(" synchronize")).toList();
        assertEquals(3, uploads.size(), pass.toString());
        assertEquals(3, waits.size(), pass.toString());
        // submit 1, submit 2, collect 1, submit 3, collect 2, collect 3
        assertTrue(uploads.get(0) < uploads.get(1) && uploads.get(1) < waits.get(0), pass.toString());
        assertTrue(waits.get(0) < uploads.get(2) && uploads.get(2) < waits.get(1) && waits.get(1) < waits.get(2),
                pass.toString());
    }

    /**
     * Copies to and from the host on the copy stream, outputs copied out of the arena on the compute stream, and
     * each stage after the event of the one before: compute waits for the upload, the download for the compute.
     */
    @Test
    void uploadsAndDownloadsRunOnACopyStreamOrderedByEvents() {
        int copy = stream(pass.get(indexes("copy htod ").get(0)));
        int compute = stream(pass.get(indexes("copy dtod ").get(0)));
        assertNotEquals(copy, compute);
        indexes("copy htod ").forEach(i -> assertEquals(copy, stream(pass.get(i))));
        indexes("copy dtoh ").forEach(i -> assertEquals(copy, stream(pass.get(i))));
        indexes("copy dtod ").forEach(i -> assertEquals(compute, stream(pass.get(i))));
        List<Integer> preprocess = indexes("launch preprocess_u8_f32 ");
        for (int b = 0; b < 3; b++) {
            int upload = indexes("copy htod ").get(b);
            String uploaded = pass.get(upload + 1);
            assertTrue(uploaded.startsWith("event ") && uploaded.endsWith(" record on stream " + copy), uploaded);
            String event = uploaded.split(" ")[1];
            // slots are reused, and so are their events: the wait that counts is the first after this upload
            int wait = upload + pass.subList(upload, pass.size()).indexOf("stream " + compute + " waits for event "
                    + event);
            assertTrue(wait > upload && wait < preprocess.get(b), "compute does not wait for upload " + b);
            int dtod = indexes("copy dtod ").get(b);
            String computed = pass.get(dtod + 1);
            assertTrue(computed.startsWith("event ") && computed.endsWith(" record on stream " + compute), computed);
            int download = indexes("copy dtoh ").get(b);
            assertEquals("stream " + copy + " waits for event " + computed.split(" ")[1], pass.get(download - 1));
        }
    }

    /**
     * Float32 batches (the server's clients' tensors) through an fp16 engine's float pipeline: each upload carries
     * its batch's float32 bytes, on the copy stream, the next enqueued before the host waits for the one before, and
     * each batch is narrowed on the compute stream after its upload.
     */
    @Test
    void floatBatchesStreamThroughAFloatPipelineOfTheirOwn() {
        assertTrue(out.contains("float first=2"), text);
        assertTrue(out.contains("float second=2 third=2"), text);
        List<String> floats = recording.between("begin float pipeline", "end float pipeline");
        String expected = out.stream().filter(l -> l.startsWith("expected float uploads ")).findFirst().orElseThrow();
        List<Integer> uploads = new ArrayList<>();
        List<Integer> narrows = new ArrayList<>();
        List<Integer> waits = new ArrayList<>();
        for (int i = 0; i < floats.size(); i++) {
            String l = floats.get(i);
            if (l.startsWith("copy htod ")) {
                uploads.add(i);
            } else if (l.startsWith("launch narrow_f32_f16 ")) {
                narrows.add(i);
            } else if (l.startsWith("event ") && l.endsWith(" synchronize")) {
                waits.add(i);
            }
        }
        assertEquals(List.of(expected.substring("expected float uploads ".length()).split(" ")),
                uploads.stream().map(i -> floats.get(i).split(" ")[4]).toList(), floats.toString());
        assertEquals(3, narrows.size(), floats.toString());
        int copy = stream(floats.get(uploads.get(0)));
        for (int b = 0; b < 3; b++) {
            assertEquals(copy, stream(floats.get(uploads.get(b))));
            assertNotEquals(copy, stream(floats.get(narrows.get(b))));
            assertTrue(uploads.get(b) < narrows.get(b), floats.toString());
            // 2 * 268203 float32 values: four bytes each
            assertTrue(floats.get(uploads.get(b)).startsWith("copy htod " + 2 * 268203 * 4 + " "), floats.get(uploads.get(b)));
        }
        // submit 1, submit 2, collect 1, submit 3, collect 2, collect 3
        assertEquals(3, waits.size(), floats.toString());
        assertTrue(uploads.get(1) < waits.get(0) && waits.get(0) < uploads.get(2), floats.toString());
    }

    /**
     * --gpu-resize: two 400x300 images come back from the input tensor exactly as the host's resizing and
     * preprocessing (Resize.nearest or Resize.bilinear, Preprocess) make them, stored in the precision's type: the
     * fake ran each kernel (in a loop of its own) from the uploaded tables and images, so tables, images, pointers and
     * sizes were all right. The batch of two sizes before them, in flight while the slots grew, is answered; it and
     * the same kind of batch after are resized on the host, reported once.
     */
    @ParameterizedTest
    @ValueSource(strings = {"FP32", "FP16", "BF16"})
    void sameSizedImagesAreResizedOnTheGpuAsTheHostResizesThem(String precision) {
        assertTrue(out.contains("gpu resize " + precision + "=true bilinear=true in flight=2 fallbacks=[input_1"
                + " (batch 2): kernel resize_nearest (--gpu-resize) -> resized on the host (the batch's images differ in"
                + " size)]"), text);
        List<String> calls = recording.between("begin gpu resize " + precision, "end gpu resize " + precision);
        String type = Map.of("FP32", "f32", "FP16", "f16", "BF16", "bf16").get(precision);
        List<String> resizes = calls.stream().filter(l -> l.startsWith("launch resize_nearest_u8_")).toList();
        assertEquals(1, resizes.size(), calls.toString());
        assertEquals(2, calls.stream().filter(l -> l.startsWith("launch preprocess_u8_" + type + " ")).count(),
                calls.toString());
        // "launch NAME grid .. block .. stream S args dst D src S xs X ys Y n N width W height H src_width SW
        // src_height SH": the tables first in the slot (299 + 299 ints, padded to 256 bytes), then the images
        String[] f = resizes.get(0).split(" ");
        assertEquals("resize_nearest_u8_" + type, f[1]);
        Map<String, Long> args = args(resizes.get(0));
        assertEquals(args.get("xs") + 299 * 4, args.get("ys"));
        assertEquals(args.get("xs") + 2560, args.get("src"));
        assertEquals(Map.of("n", 2L * 299 * 299 * 3, "width", 299L, "height", 299L, "src_width", 400L, "src_height",
                300L), Map.of("n", args.get("n"), "width", args.get("width"), "height", args.get("height"),
                "src_width", args.get("src_width"), "src_height", args.get("src_height")));
        // the slots grew for it (the first slots held two images at 299x299): tables and two full images uploaded
        assertTrue(calls.stream().anyMatch(l -> l.startsWith("copy htod " + (2560 + 2 * 400 * 300 * 3) + " ")),
                calls.toString());
        // bilinear: the columns' first indices and weights, then the rows', then the images, 256-byte aligned
        List<String> bilinear = calls.stream().filter(l -> l.startsWith("launch resize_bilinear_u8_" + type + " "))
                .toList();
        assertEquals(1, bilinear.size(), calls.toString());
        Map<String, Long> b = args(bilinear.get(0));
        long xTaps = dev.inception.image.Resize.Taps.bilinear(400, 299).taps();
        long yTaps = dev.inception.image.Resize.Taps.bilinear(300, 299).taps();
        assertEquals(List.of(xTaps, yTaps), List.of(b.get("x_taps"), b.get("y_taps")));
        assertEquals(b.get("x_start") + 299 * 4, b.get("x_weights"));
        assertEquals(b.get("x_weights") + 299 * xTaps * 4, b.get("y_start"));
        assertEquals(b.get("y_start") + 299 * 4, b.get("y_weights"));
        long tables = (299 * 4 * 2 + 299 * 4 * (xTaps + yTaps) + 255) / 256 * 256;
        assertEquals(b.get("x_start") + tables, b.get("src"));
        assertEquals(List.of(2L * 299 * 299 * 3, 299L, 299L, 400L, 300L), List.of(b.get("n"), b.get("width"),
                b.get("height"), b.get("src_width"), b.get("src_height")));
    }

    /** A recorded launch's arguments: the numbers after "args", by name. */
    static Map<String, Long> args(String launch) {
        String[] f = launch.split(" ");
        Map<String, Long> args = new java.util.HashMap<>();
        for (int i = List.of(f).indexOf("args") + 1; i + 1 < f.length; i += 2) {
            args.put(f[i], Long.parseLong(f[i + 1]));
        }
        return args;
    }

    @Test
    void aBatchNeverCollectedBeforeCloseSaysSoAndEverythingIsReleased() {
        assertTrue(out.contains("after close: engine is closed: the batch was submitted but never collected"), text);
        for (String counter : new String[] {"device_allocations", "host_allocations", "streams", "events"}) {
            assertTrue(out.contains("fake-gpu: live " + counter + " 0"), counter + ":\n" + text);
        }
    }
}
