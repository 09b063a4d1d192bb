package dev.inception.bench;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MachineInfoTest {

    /** A bundle's launcher names the commit it was built from; results take it over the working directory's. */
    @Test
    void aBundlesCommitWinsOverTheWorkingDirectorysGit() {
        assertEquals("763692c0ffee-dirty", MachineInfo.gitCommit(Map.of("INCEPTION_GIT_COMMIT", " 763692c0ffee-dirty\n")));
        String here = MachineInfo.gitCommit(Map.of("INCEPTION_GIT_COMMIT", " "));
        assertTrue(here.equals("unknown") || here.matches("[0-9a-f]{12}(-dirty)?"), here);
    }
}
