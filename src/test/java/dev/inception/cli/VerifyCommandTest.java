package dev.inception.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VerifyCommandTest {

    /** oneDNN (--candidate cpu) and the reference's own fused plan, each against the reference's faithful plan. */
    @Test
    void cpuCandidatesAgreeWithTheFaithfulReferenceOnEveryTap() {
        for (String candidate : new String[] {"cpu", "reference"}) {
            PredictCommandTest.Run r = PredictCommandTest.run("verify", "--candidate", candidate, "--json",
                    "examples/chelsea.png", "examples/rocket.jpg");
            assertEquals(0, r.code(), r.out() + r.err());
            JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject();
            assertTrue(o.get("pass").getAsBoolean());
            assertEquals(14, o.getAsJsonArray("taps").size());
            assertEquals(candidate + " fused fp32", o.get("candidate").getAsString());
            assertEquals("reference faithful fp32", o.get("reference").getAsString());
        }
    }

    @Test
    void gpuCandidateWithoutAGpuFailsWithTheReason() {
        PredictCommandTest.Run info = PredictCommandTest.run("info", "--json");
        Assumptions.assumeFalse(info.out().contains("\"compute_capability\""),
                "this machine has a GPU: the no-GPU message cannot be observed here");
        PredictCommandTest.Run r = PredictCommandTest.run("verify", "examples/chelsea.png");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("no usable GPU"), r.err());
    }
}
