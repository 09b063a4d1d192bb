package dev.inception.gpu;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** How large the cuDNN workspace's slices are made, by hand-computed cases. */
class WorkspaceTest {

    static final long MIB = 1L << 20;
    static final long GIB = 1L << 30;

    @Test
    void slicesGetTheLimitWhereTheDeviceHasRoomAndNeverLessThanNeeded() {
        // an H200 with 140 GiB free: the limit, whatever the maximum batch's algorithms needed
        assertEquals(512 * MIB, Workspace.sliceBytes(3 * MIB, 512 * MIB, 140 * GIB, 4));
        // 4 GiB free, four lanes: a sixteenth of it shared by the four, 64 MiB each
        assertEquals(64 * MIB, Workspace.sliceBytes(3 * MIB, 512 * MIB, 4 * GIB, 4));
        // 1 GiB free: 16 MiB each would be less than the 100 MiB the chosen algorithms need
        assertEquals(100 * MIB, Workspace.sliceBytes(100 * MIB, 512 * MIB, GIB, 4));
        // one lane (no branch streams): the sixteenth is its own
        assertEquals(256 * MIB, Workspace.sliceBytes(0, 512 * MIB, 4 * GIB, 1));
    }
}
