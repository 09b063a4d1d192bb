#!/usr/bin/env python3
"""Mutation check: applies each deliberate bug below to the source, one at a time, runs the tests that should catch
it, prints which failed, and restores the file. A mutation that no test catches prints NOT CAUGHT. The list is the
one from the independent-checks audit (issue 16); add a line when a new class of bug slips through.

    python3 src/test/python/mutations.py        (from the repository root; about 90 s per mutation on 2 cores)
"""
import os
import re
import subprocess

os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..'))
MUTATIONS = [
 ("transposed 3x3 kernel in CpuOps", "src/main/java/dev/inception/cpu/CpuOps.java",
  "int tap = (ky * win.cols() + kx) * cin * cout;", "int tap = (kx * win.rows() + ky) * cin * cout;"),
 ("BN epsilon 1e-5", "src/main/java/dev/inception/model/InceptionV3.java",
  "public static final float BN_EPSILON = 1e-3f;", "public static final float BN_EPSILON = 1e-5f;"),
 ("mixed0-2 branches swapped", "src/main/java/dev/inception/model/InceptionV3.java",
  'x = concat("mixed" + i, branch1x1, branch5x5, branch3x3dbl, branchPool);', 'x = concat("mixed" + i, branch5x5, branch1x1, branch3x3dbl, branchPool);'),
 ("KRSC transpose gives KCRS", "src/main/java/dev/inception/gpu/Layouts.java",
  "out[((co * kh + r) * kw + s) * cin + ci] = k[((r * kw + s) * cin + ci) * cout + co];", "out[((co * cin + ci) * kh + r) * kw + s] = k[((r * kw + s) * cin + ci) * cout + co];"),
 ("CudnnGeometry r/s swapped", "src/main/java/dev/inception/gpu/CudnnGeometry.java",
  "return new Conv(x, step.filters(), w.rows(), w.cols(),", "return new Conv(x, step.filters(), w.cols(), w.rows(),"),
 ("preprocess launch deleted", "src/main/java/dev/inception/gpu/GpuExecutor.java",
  "        kernels.preprocess(cx.stream(), program.at(plan.input()), deviceBytes.ptr(), rgb.length);\n", ""),
]
TESTS = "CpuOpsTest,GoldenReferenceTest,KerasSourceTest,LayoutsTest,CudnnGeometryTest,FakeGpuRecordTest,FakeGpuTest,EngineTest"
for name, path, old, new in MUTATIONS:
    src = open(path).read()
    assert src.count(old) == 1, (name, src.count(old))
    open(path, 'w').write(src.replace(old, new))
    try:
        r = subprocess.run(['mvn', '-B', '-o', 'test', '-Dtest=' + TESTS, '-Dsurefire.failIfNoSpecifiedTests=false'],
                           capture_output=True, text=True)
        failed = sorted(set(re.findall(r'\[ERROR\] (?:  )?(\w+Test\.\w+)', r.stdout)))
        compile_err = 'COMPILATION ERROR' in r.stdout
        print('%-36s %s' % (name, 'COMPILE ERROR' if compile_err else (', '.join(failed) if failed else 'NOT CAUGHT')), flush=True)
    finally:
        open(path, 'w').write(src)
