package dev.inception.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VerifyCommandTest {

    @Test
    void fusedCpuPlanAgreesWithTheFaithfulReferenceOnEveryTap() {
        PredictCommandTest.Run r = PredictCommandTest.run("verify", "--candidate", "cpu", "--json", "examples/chelsea.png");
        assertEquals(0, r.code(), r.out() + r.err());
        JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject();
        assertTrue(o.get("pass").getAsBoolean());
        assertEquals(14, o.getAsJsonArray("taps").size());
        assertEquals("cpu fused fp32", o.get("candidate").getAsString());
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
