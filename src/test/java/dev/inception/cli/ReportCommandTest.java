package dev.inception.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReportCommandTest {

    @TempDir
    Path tmp;

    static String result(String backend, String plan, int batch, double p50) {
        return "{\"schema\":\"inception-bench/1\",\"date\":\"2026-11-29T00:00:00Z\",\"machine\":{\"cpu\":\"Test CPU\","
                + "\"cores\":2},\"settings\":{\"backend\":\"" + backend + "\",\"plan\":\"" + plan + "\",\"precision\":"
                + "\"fp32\"},\"results\":[{\"scope\":\"network\",\"batch\":" + batch + ",\"latency_ms\":{\"p50\":" + p50
                + ",\"p90\":" + (p50 + 1) + "},\"images_per_s\":" + (batch * 1000 / p50) + "}]}";
    }

    @Test
    void chartsAndTableFromOursAndAPeer() throws Exception {
        Path ours = tmp.resolve("ours.json");
        Files.writeString(ours, result("cpu", "fused", 1, 750));
        Path peer = tmp.resolve("peer.json");
        Files.writeString(peer, "[" + result("torch-cpu", "eager-fp32", 1, 500) + "," + result("torch-cpu", "eager-fp32", 8, 3000) + "]");
        Path out = tmp.resolve("charts");
        PredictCommandTest.Run r = PredictCommandTest.run("report", "--out", out.toString(), ours.toString(), peer.toString());
        assertEquals(0, r.code(), r.err());
        for (String name : new String[] {"bench-latency-network.png", "bench-throughput-network.png"}) {
            BufferedImage img = ImageIO.read(out.resolve(name).toFile());
            assertEquals(900, img.getWidth());
            assertEquals(640, img.getHeight());   // the legend sits under the plot
        }
        assertTrue(r.out().contains("| cpu fused fp32 | Test CPU, 2 cores | network | 1 | 750.0 | 751.0 | 1.33 |"), r.out());
        assertTrue(r.out().contains("| torch-cpu eager-fp32 fp32 | Test CPU, 2 cores | network | 8 | 3000.0 |"), r.out());
    }

    /** --targets judges a GPU run's files: here ours fp32 at 2 ms against eager fp32 at 5 ms, 2.5x for 2x. */
    @Test
    void targetsFromAGpuRunsFiles() throws Exception {
        String gpu = "\"machine\":{\"cpu\":\"Test CPU\",\"cores\":2}";
        String h200 = "\"machine\":{\"cpu\":\"Test CPU\",\"cores\":16,\"gpu\":\"NVIDIA H200\"}";
        Path ours = Files.writeString(tmp.resolve("bench-fp32.json"), result("gpu", "fused", 1, 2).replace(gpu, h200));
        Path peer = Files.writeString(tmp.resolve("torch-gpu-eager-fp32.json"),
                result("torch-cuda", "eager-fp32", 1, 5).replace(gpu, h200));
        PredictCommandTest.Run r = PredictCommandTest.run("report", "--targets", "--out", tmp.resolve("c").toString(),
                ours.toString(), peer.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("| batch 1 latency, ours fp32 vs PyTorch eager fp32 | >= 2.00x | 2.50x | met by 25.0%"
                + " | torch-cuda eager-fp32 fp32 5.00 / gpu fused fp32 2.00 ms p50 |"), r.out());
        assertTrue(r.out().contains("| batch 256 images/s, ours fp16/bf16 | >= 34,000 images/s | - | not measured |"),
                r.out());
    }

    /**
     * A profile's JSON given to report becomes a table of its slowest steps: the first H200 run's fp16 profile at
     * batch 256 (committed; written before profiles had roofline bounds), whose slowest steps were cuDNN's average
     * poolings (1.923 ms of the steps' 45.77 for average_pooling2d_3).
     */
    @Test
    void aProfileBecomesATableOfItsSlowestSteps() throws Exception {
        Path profile = Path.of("bench/results/2026-11-30-h200/profile-fp16-256.json");
        PredictCommandTest.Run r = PredictCommandTest.run("report", "--out", tmp.resolve("p").toString(),
                profile.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("### gpu fp16 fused, batch 256 (profile-fp16-256.json): steps 45.77 ms, a whole"
                + " pass 24.08 ms"), r.out());
        java.util.List<String> rows = r.out().lines().filter(l -> l.startsWith("| ") && !l.startsWith("| step")
                && !l.startsWith("| ---")).toList();
        assertEquals(ReportCommand.PROFILE_ROWS, rows.size(), r.out());
        assertEquals("| average_pooling2d_3 | 1.923 | 4.2% | cudnn |", rows.get(0));
    }

    /** GPU series with a switch off are their own series, named by what was off. */
    @Test
    void gpuSeriesNameTheSwitchesThatWereOff() throws Exception {
        Path on = gpuResult("on", 1, 2, "\"cuda_graphs\":true,\"branch_streams\":true");
        Path off = gpuResult("off", 1, 3, "\"cuda_graphs\":false,\"branch_streams\":true");
        PredictCommandTest.Run r = PredictCommandTest.run("report", "--out", tmp.resolve("charts").toString(),
                on.toString(), off.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("| gpu fused fp16 | Test CPU, 2 cores | network | 1 | 2.0 |"), r.out());
        assertTrue(r.out().contains("| gpu fused fp16, no graphs | Test CPU, 2 cores | network | 1 | 3.0 |"), r.out());
        // what the switch changes: 3.0 ms without graphs against 2.0 ms with them
        assertTrue(r.out().contains("| gpu fused fp16, no graphs | network | 1 | 3.00 | 2.00 | 1.50x |"), r.out());
        String copyFree = reportOfOneGpuResult("copy_free_concat");
        assertTrue(copyFree.contains("| gpu fused fp16, copy-free concat | Test CPU"), copyFree);
        String cudnnPooling = reportOfOneGpuResult("cudnn_pooling");
        assertTrue(cudnnPooling.contains("| gpu fused fp16, cuDNN pooling | Test CPU"), cudnnPooling);
        String kernel = reportOfOneGpuResult("bias_relu_kernel");
        assertTrue(kernel.contains("| gpu fused fp16, bias+ReLU kernel | Test CPU"), kernel);
        String gpuResize = reportOfOneGpuResult("gpu_resize");
        assertTrue(gpuResize.contains("| gpu fused fp16, GPU resize | Test CPU"), gpuResize);
        // bilinear resizing names itself (its images are not nearest's); nearest, the default, names nothing
        String bilinear = reportOfSwitchedAndDefault("bilinear", "\"resize\":\"bilinear\"", "\"resize\":\"nearest\"");
        assertTrue(bilinear.contains("| gpu fused fp16, bilinear | Test CPU, 2 cores | network | 1 |"), bilinear);
        assertTrue(bilinear.contains("| gpu fused fp16 | Test CPU, 2 cores | network | 2 |"), bilinear);
        // and a switched bilinear series is compared with bilinear's default series, not with nearest's
        Path nearest = gpuResult("nearest", 1, 2, "\"resize\":\"nearest\"");
        Path linear = gpuResult("linear", 1, 8, "\"resize\":\"bilinear\"");
        Path switched = gpuResult("linear-switched", 1, 4, "\"resize\":\"bilinear\",\"gpu_resize\":true");
        String twins = PredictCommandTest.run("report", "--out", tmp.resolve("charts-twins").toString(),
                nearest.toString(), linear.toString(), switched.toString()).out();
        assertTrue(twins.contains("| gpu fused fp16, GPU resize, bilinear | network | 1 | 4.00 | 8.00 | 0.50x |"), twins);
        assertEquals(1, twins.lines().filter(l -> l.endsWith("x |")).count(), twins);
        // --cudnn-engines N names N; 0 (the legacy API alone, the default) names nothing
        String tried = reportOfSwitchedAndDefault("engines", "\"cudnn_engines\":4", "\"cudnn_engines\":0");
        assertTrue(tried.contains("| gpu fused fp16, cuDNN engines 4 | Test CPU, 2 cores | network | 1 |"), tried);
        assertTrue(tried.contains("| gpu fused fp16 | Test CPU, 2 cores | network | 2 |"), tried);
        // branch streams up to another batch than the default 16 name it; the default names nothing
        String streams = reportOfSwitchedAndDefault("streams",
                "\"branch_streams\":true,\"branch_streams_max_batch\":256",
                "\"branch_streams\":true,\"branch_streams_max_batch\":16");
        assertTrue(streams.contains("| gpu fused fp16, streams up to 256 | Test CPU, 2 cores | network | 1 |"), streams);
        assertTrue(streams.contains("| gpu fused fp16 | Test CPU, 2 cores | network | 2 |"), streams);
    }

    /** report's table for two fp16 GPU results: batch 1 with these settings switched, batch 2 with their defaults. */
    private String reportOfSwitchedAndDefault(String name, String switched, String defaults) throws Exception {
        Path on = gpuResult(name + "-switched", 1, 1.5, switched);
        Path off = gpuResult(name + "-default", 2, 1.5, defaults);
        return PredictCommandTest.run("report", "--out", tmp.resolve("charts-" + name).toString(), on.toString(),
                off.toString()).out();
    }

    /** A fused fp16 GPU result file of one point, with these settings (JSON members) besides. */
    private Path gpuResult(String name, int batch, double p50, String settings) throws Exception {
        Path file = tmp.resolve(name + ".json");
        Files.writeString(file, result("gpu", "fused", batch, p50).replace("\"precision\":\"fp32\"",
                "\"precision\":\"fp16\"," + settings));
        return file;
    }

    /** report's table for one fp16 GPU result whose settings turn this switch on. */
    private String reportOfOneGpuResult(String setting) throws Exception {
        Path file = gpuResult(setting, 1, 1.5, "\"" + setting + "\":true");
        return PredictCommandTest.run("report", "--out", tmp.resolve("charts-" + setting).toString(), file.toString())
                .out();
    }

    @Test
    void loadResultsAreChartedAsLatencyAgainstThroughput() throws Exception {
        Path load = tmp.resolve("load.json");
        Files.writeString(load, "{\"schema\":\"inception-load/1\",\"date\":\"2026-11-30\",\"label\":\"batching on\","
                + "\"results\":[{\"clients\":1,\"answered\":10,\"refused_503\":0,\"latency_ms\":{\"p50\":100.0,"
                + "\"p99\":150.0},\"images_per_s\":9.5},{\"clients\":8,\"answered\":10,\"refused_503\":2,"
                + "\"latency_ms\":{\"p50\":700.0,\"p99\":900.0},\"images_per_s\":11.25}]}");
        Path out = tmp.resolve("charts");
        PredictCommandTest.Run r = PredictCommandTest.run("report", "--out", out.toString(), "--prefix", "serve",
                load.toString());
        assertEquals(0, r.code(), r.err());
        BufferedImage img = ImageIO.read(out.resolve("serve-latency-throughput.png").toFile());
        assertEquals(900, img.getWidth());
        assertTrue(r.out().contains("| batching on | 8 | 700.0 | 900.0 | 11.25 | 2 |"), r.out());
        assertTrue(!r.out().contains("| series |"), "no empty bench table: " + r.out());
        Files.writeString(load, "{\"schema\":\"inception-load/1\",\"label\":\"x\",\"results\":[{\"clients\":1}]}");
        PredictCommandTest.Run bad = PredictCommandTest.run("report", "--out", out.toString(), load.toString());
        assertEquals(3, bad.code());
        assertTrue(bad.err().contains("\"date\" is missing") || bad.err().contains("\"latency_ms\" is missing"),
                bad.err());
    }

    @Test
    void aFileOfAnotherSchemaIsUnreadableInput() throws Exception {
        Path f = tmp.resolve("x.json");
        Files.writeString(f, "{\"schema\":\"other\"}");
        PredictCommandTest.Run r = PredictCommandTest.run("report", "--out", tmp.toString(), f.toString());
        assertEquals(3, r.code());
        assertTrue(r.err().contains("not an inception-bench/1 result"), r.err());
    }
}
