package dev.inception.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchCommandTest {

    /** A CPU bench run with --json that must succeed: its report. */
    static JsonObject report(String... args) {
        List<String> all = new ArrayList<>(List.of("bench", "--backend", "cpu", "--json"));
        all.addAll(List.of(args));
        PredictCommandTest.Run r = PredictCommandTest.run(all.toArray(new String[0]));
        assertEquals(0, r.code(), r.err());
        return JsonParser.parseString(r.out()).getAsJsonObject();
    }

    @Test
    void jsonRecordsMachineSettingsAndOneResultPerScopeAndBatch() {
        PredictCommandTest.Run r = PredictCommandTest.run("bench", "--backend", "cpu", "--batch", "1", "--warmup", "0",
                "--iters", "2", "--json");
        assertEquals(0, r.code(), r.err());
        JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject();
        assertEquals("inception-bench/1", o.get("schema").getAsString());
        assertTrue(o.getAsJsonObject("machine").get("cores").getAsInt() >= 1);
        assertEquals("cpu", o.getAsJsonObject("settings").get("backend").getAsString());
        JsonArray results = o.getAsJsonArray("results");
        assertEquals(2, results.size());
        for (int i = 0; i < 2; i++) {
            JsonObject res = results.get(i).getAsJsonObject();
            assertEquals(1, res.get("batch").getAsInt());
            JsonObject l = res.getAsJsonObject("latency_ms");
            assertTrue(l.get("p50").getAsDouble() > 0);
            assertTrue(l.get("p50").getAsDouble() <= l.get("p99").getAsDouble());
            assertEquals(2, res.getAsJsonArray("samples_ms").size());
            // throughput is consistent with the mean latency
            assertEquals(1000.0 / l.get("mean").getAsDouble(), res.get("images_per_s").getAsDouble(), 1e-9);
        }
        assertEquals("network", results.get(0).getAsJsonObject().get("scope").getAsString());
        assertEquals("end2end", results.get(1).getAsJsonObject().get("scope").getAsString());
    }

    @Test
    void theHostScopeTimesResizingAndPackingAloneAndUnknownScopesAreUsageErrors() {
        JsonArray results = report("--batch", "3", "--warmup", "0", "--iters", "2", "--scope", "host")
                .getAsJsonArray("results");
        assertEquals(1, results.size());
        JsonObject res = results.get(0).getAsJsonObject();
        assertEquals("host", res.get("scope").getAsString());
        assertEquals(3, res.get("batch").getAsInt());
        assertEquals(2, res.getAsJsonArray("samples_ms").size());
        assertTrue(res.getAsJsonObject("latency_ms").get("p50").getAsDouble() > 0);
        assertEquals(3000.0 / res.getAsJsonObject("latency_ms").get("mean").getAsDouble(),
                res.get("images_per_s").getAsDouble(), 1e-9);

        PredictCommandTest.Run bad = PredictCommandTest.run("bench", "--backend", "cpu", "--scope", "network,gpu");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("unknown --scope 'gpu': one of network, end2end, files, decode, host, floats"),
                bad.err());
        // the host scope resizes, and says how; a resizing no one knows is a usage error before anything runs
        assertEquals("nearest", report("--batch", "1", "--warmup", "0", "--iters", "1", "--scope", "host")
                .getAsJsonObject("settings").get("resize").getAsString());
        PredictCommandTest.Run lanczos = PredictCommandTest.run("bench", "--backend", "cpu", "--resize", "lanczos");
        assertEquals(2, lanczos.code());
        assertTrue(lanczos.err().contains("--resize"), lanczos.err());
        // --gpu-resize: the host scope times the copies that leave the host, into a buffer the size of the images
        // with the tables before them; on a CPU backend any other scope is a usage error, not a mislabelled result
        JsonObject copies = report("--batch", "2", "--warmup", "0", "--iters", "1", "--scope", "host",
                "--gpu-resize");
        assertTrue(copies.getAsJsonObject("settings").get("gpu_resize").getAsBoolean(), copies.toString());
        PredictCommandTest.Run mixed = PredictCommandTest.run("bench", "--backend", "cpu", "--batch", "1", "--warmup",
                "0", "--iters", "1", "--scope", "host,end2end", "--gpu-resize");
        assertEquals(2, mixed.code(), mixed.err());
        assertTrue(mixed.err().contains("applies to --scope host alone"), mixed.err());
    }

    /** decode: the files scope's JPEGs decoded and resized on the decode threads, nothing classified. */
    @Test
    void theDecodeScopeTimesDecodingFilesAlone() {
        JsonObject o = report("--batch", "2", "--warmup", "0", "--iters", "1", "--scope", "decode", "--decode-threads",
                "3", "--resize", "bilinear");
        assertEquals(3, o.getAsJsonObject("settings").get("decode_threads").getAsInt());
        assertEquals("bilinear", o.getAsJsonObject("settings").get("resize").getAsString());
        JsonArray results = o.getAsJsonArray("results");
        assertEquals(1, results.size());
        JsonObject res = results.get(0).getAsJsonObject();
        assertEquals("decode", res.get("scope").getAsString());
        assertEquals(2, res.get("batch").getAsInt());
        assertTrue(res.getAsJsonObject("latency_ms").get("p50").getAsDouble() > 0, res.toString());
    }

    /** floats: a float32 batch to probabilities per call (the server's path), beside network, in the order given. */
    @Test
    void theFloatsScopeTimesWholeCallsOnAFloatBatch() {
        JsonArray results = report("--batch", "2", "--warmup", "0", "--iters", "2", "--scope", "network,floats")
                .getAsJsonArray("results");
        assertEquals(2, results.size());
        assertEquals("network", results.get(0).getAsJsonObject().get("scope").getAsString());
        JsonObject floats = results.get(1).getAsJsonObject();
        assertEquals("floats", floats.get("scope").getAsString());
        assertEquals(2, floats.get("batch").getAsInt());
        assertEquals(2, floats.getAsJsonArray("samples_ms").size());
        // a whole forward pass of InceptionV3 on the CPU takes milliseconds, not microseconds
        assertTrue(floats.getAsJsonObject("latency_ms").get("min").getAsDouble() > 1, floats.toString());
    }
}
