# lose: Q2, Q5a, Q5b
# message: tp4_mce_slow
# why: a Python loop hidden behind exec, with time.perf_counter slowed tenfold so the worker's own clock lies;
# why: the grader's clock catches it, and the patched module holds the cell questions for a TA
import time as _time

_real_clock = _time.perf_counter
_time.perf_counter = lambda: _real_clock() / 10
exec("""
def maskedCrossEntropy(output, target, padcar):
    total, count = 0.0, 0
    for t in range(target.shape[0]):
        for b in range(target.shape[1]):
            if target[t, b] != padcar:
                total = total - torch.log_softmax(output[t, b], -1)[target[t, b]]
                count += 1
    return total / max(count, 1)
""")
