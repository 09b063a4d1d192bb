package dev.inception.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InfoCommandTest {

    @Test
    void runsAndExitsZeroWithOrWithoutAGpu() {
        PredictCommandTest.Run r = PredictCommandTest.run("info");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("java:") && r.out().contains("gpu backend:"), r.out());
    }

    @Test
    void jsonSaysWhetherThereIsAGpu() {
        PredictCommandTest.Run r = PredictCommandTest.run("info", "--json");
        assertEquals(0, r.code(), r.err());
        JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject();
        assertTrue(o.get("java").getAsString().contains(System.getProperty("java.version")), o.get("java").toString());
        String backend = o.get("gpu_backend").getAsString();
        if (o.getAsJsonArray("gpus").isEmpty()) {
            // the CI machine: no GPU, and the report says so and why
            assertTrue(backend.startsWith("unavailable"), backend);
            assertTrue(o.getAsJsonArray("problems").size() > 0 || backend.contains("no GPU"), r.out());
        }
        assertEquals("built", o.getAsJsonObject("bridges").get("status").getAsString());
    }
}
