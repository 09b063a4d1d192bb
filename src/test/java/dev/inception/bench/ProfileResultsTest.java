package dev.inception.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** profile's JSON read back for report: the slowest steps first, their shares and bounds, by hand. */
class ProfileResultsTest {

    @TempDir
    Path tmp;

    static final String WITH_BOUNDS = """
            {"backend": "gpu", "plan": "fused", "precision": "fp16", "batch": 256, "total_ms": 4.0, "forward_ms": 3.5,
             "roofline": {"peak_gflops": 1000.0, "peak_gbytes_per_s": 100.0, "bound_ms": 1.5, "source": "by hand"},
             "steps": [
               {"step": "conv2d_1", "milliseconds": 1.0, "share": 0.25, "gflops": 1, "gbytesPerSecond": 1,
                "implementation": "cudnn IMPLICIT_PRECOMP_GEMM (TENSOR_OP_MATH)", "boundMilliseconds": 0.5},
               {"step": "average_pooling2d_1", "milliseconds": 2.0, "share": 0.5, "gflops": 0, "gbytesPerSecond": 1,
                "implementation": "kernel pool_nhwc_f16x8", "boundMilliseconds": 1.0},
               {"step": "mixed0", "milliseconds": 1.0, "share": 0.25, "gflops": 0, "gbytesPerSecond": 1,
                "implementation": "kernel concat_nhwc_chunk16", "boundMilliseconds": 0.0}]}
            """;

    @Test
    void slowestStepsFirstWithTheirSharesAndHowCloseToTheirBound() throws IOException {
        Path f = Files.writeString(tmp.resolve("profile-fp16-256.json"), WITH_BOUNDS);
        assertTrue(ProfileResults.is(f));
        ProfileResults.Profile p = ProfileResults.read(f);
        assertEquals("gpu fp16 fused, batch 256", p.what());
        assertEquals(1.5, p.boundMs());
        String md = ProfileResults.markdown(List.of(p), 2);
        assertTrue(md.contains("### gpu fp16 fused, batch 256 (profile-fp16-256.json): steps 4.00 ms, a whole pass"
                + " 3.50 ms, roofline bound 1.50 ms"), md);
        // the two slowest of three: the pooling (2 ms of 4, its bound 1 ms: 50%), then the first 1 ms step
        List<String> rows = md.lines()
                .filter(l -> l.startsWith("| ") && !l.startsWith("| step") && !l.startsWith("| ---")).toList();
        assertEquals(List.of("| average_pooling2d_1 | 2.000 | 50.0% | 1.000 | 50% | kernel pool_nhwc_f16x8 |",
                "| conv2d_1 | 1.000 | 25.0% | 0.500 | 50% | cudnn IMPLICIT_PRECOMP_GEMM (TENSOR_OP_MATH) |"), rows);
    }

    @Test
    void aProfileWithoutBoundsHasNoBoundColumns() throws IOException {
        // as the first H200 run wrote them, before the roofline
        String old = WITH_BOUNDS.replaceAll(", \"boundMilliseconds\": [0-9.]+", "")
                .replaceAll("\"roofline\": \\{[^}]*},", "");
        Path f = Files.writeString(tmp.resolve("old.json"), old);
        ProfileResults.Profile p = ProfileResults.read(f);
        assertEquals(null, p.boundMs());
        String md = ProfileResults.markdown(List.of(p), 1);
        assertTrue(md.contains("| step | ms | share | implementation |"), md);
        assertTrue(md.contains("| average_pooling2d_1 | 2.000 | 50.0% | kernel pool_nhwc_f16x8 |"), md);
    }

    @Test
    void benchResultsAndBrokenFilesAreNotProfiles() throws IOException {
        assertFalse(ProfileResults.is(Files.writeString(tmp.resolve("bench.json"),
                "{\"schema\": \"inception-bench/1\", \"results\": []}")));
        Path broken = Files.writeString(tmp.resolve("broken.json"), "{\"steps\": [], \"forward_ms\": 1}");
        assertTrue(ProfileResults.is(broken));
        IOException e = assertThrows(IOException.class, () -> ProfileResults.read(broken));
        assertTrue(e.getMessage().contains("is not a result of 'inception profile --json'"), e.getMessage());
    }
}
