"""The loudness of a limited signal at many input gains at once, in one streaming pass.

Calibrating a plan means finding the loudness gain whose limited output lands on the
target. The limiter is nonlinear, so the output loudness is a curve in the gain, not a
shift; :class:`LimiterBank` measures that curve at a grid of gains in a single pass over
the shaped signal, so no per-frame array of the whole track is ever held.

The signal arrives as *groups* of a few frames (about 0.15 ms): each group's K-weighted
energy and true peak. One sliding maximum of the peaks over the look-ahead is shared by
every gain ``G`` (the required gain ``min(1, ceiling / (G * peak))`` is monotonic in the
peak, so the sliding minimum of one is the other's sliding maximum); each gain then runs
the limiter's release and attack-smoothing recursions of :mod:`.limiter` at the group
rate, weights the group energies by its gain squared and closes 100 ms steps into
400 ms gating blocks. Each block's loudness goes into a 0.01 LU histogram per gain, so
the gated integrated loudness comes out of O(1) memory for any duration. Against the
frame-rate limiter this costs the look-ahead's rounding to whole groups (a few hundredths
of a dB of gain in the worst transients, see the tests).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit

from .limiter import LimiterParams
from .loudness import ABSOLUTE_GATE_LUFS, RELATIVE_GATE_LU

BIN_LU = 0.01
TOP_LUFS = 10.0
_BINS = round((TOP_LUFS - ABSOLUTE_GATE_LUFS) / BIN_LU)
# counters: groups fed, deque head, tail, size, ring slot, steps closed, groups in the open one
_FED, _HEAD, _TAIL, _SIZE, _SLOT, _STEPS, _IN_STEP = range(7)


@njit(cache=True, nogil=True)
def _close_step(step, recent, counters, gain_sq, window, block_limit, hist_energy, hist_count):
    """Close the current 100 ms step; bin the 400 ms block it completes, per gain."""
    steps = counters[_STEPS]
    recent[steps % 4, :] = step
    step[:] = 0.0
    counters[_STEPS] = steps + 1
    block = steps - 3
    if block < 0 or block >= block_limit:
        return
    for k in range(step.shape[0]):
        mean_square = gain_sq[k] * (recent[0, k] + recent[1, k] + recent[2, k] + recent[3, k])
        mean_square /= window
        if mean_square <= 0.0:
            continue
        lufs = -0.691 + 10.0 * math.log10(mean_square)
        if lufs < ABSOLUTE_GATE_LUFS:
            continue
        b = min(int((lufs - ABSOLUTE_GATE_LUFS) / BIN_LU), hist_energy.shape[1] - 1)
        hist_energy[k, b] += mean_square
        hist_count[k, b] += 1.0


@njit(cache=True, nogil=True, error_model="numpy")
def _feed(power, peak, params, arrays):  # pragma: no cover - compiled
    """Run every gain's limiter over the next groups (see :class:`LimiterBank`)."""
    limits, gain_sq, coeff, lookahead, per_step, window = params
    state, running, ring, delay, dq_index, dq_value, counters, step, recent, limited = arrays[:10]
    hist_energy, hist_count = arrays[10], arrays[11]
    span = lookahead + 1
    inverse_span = 1.0 / span
    m, head, tail, size = counters[_FED], counters[_HEAD], counters[_TAIL], counters[_SIZE]
    slot, in_step = counters[_SLOT], counters[_IN_STEP]
    for i in range(power.shape[0]):
        value = peak[i]
        while size > 0:  # sliding maximum of the peaks over [m - lookahead, m]
            last = tail - 1 if tail > 0 else span
            if dq_value[last] > value:
                break
            tail = last
            size -= 1
        dq_index[tail] = m
        dq_value[tail] = value
        tail = tail + 1 if tail < span else 0
        size += 1
        while dq_index[head] < m - lookahead:
            head = head + 1 if head < span else 0
            size -= 1
        inverse = 1.0 / dq_value[head]  # of the highest peak; inf when silent
        delay[slot] = power[i]
        for k in range(limits.shape[0]):  # branch-free, so it vectorises across gains
            hold = min(1.0, limits[k] * inverse)
            limited[k] = min(limited[k], hold)
            current = min(hold, coeff * state[k] + (1.0 - coeff) * hold)
            state[k] = current
            running[k] += current - ring[slot, k]
            ring[slot, k] = current
        slot = slot + 1 if slot + 1 < span else 0
        if m >= lookahead:  # group m - lookahead is out: its energy sits in the next slot
            energy = delay[slot]
            for k in range(limits.shape[0]):
                gain = running[k] * inverse_span
                step[k] += energy * gain * gain
            in_step += 1
            if in_step == per_step:
                in_step = 0
                _close_step(
                    step, recent, counters, gain_sq, window, 1 << 62, hist_energy, hist_count
                )
        m += 1
    counters[_FED], counters[_HEAD], counters[_TAIL], counters[_SIZE] = m, head, tail, size
    counters[_SLOT], counters[_IN_STEP] = slot, in_step


@dataclass(frozen=True, slots=True)
class BankLoudness:
    """What a :class:`LimiterBank` measured."""

    gains_db: np.ndarray  # the grid, ascending
    lufs: np.ndarray  # integrated loudness of the limited output at each gain (-inf: silent)
    limited: np.ndarray  # whether the limiter ever acted at that gain
    unlimited_lufs: float  # integrated loudness of the signal itself (0 dB, no limiter)


def _state_arrays(k: int, span: int) -> tuple[np.ndarray, ...]:
    """A bank's state for ``k`` gains and a look-ahead of ``span`` groups, in :func:`_feed`'s
    order: release states, running sums and ring of the attack smoothing, the energies
    waiting out the look-ahead, the sliding maximum's deque (indices, values), counters,
    the open step's energy, the last four steps', each gain's lowest limiter gain, and the
    histogram of block loudness (energy, count)."""
    return (
        np.ones(k),
        np.full(k, float(span)),
        np.ones((span, k)),
        np.zeros(span),
        np.zeros(span + 1, dtype=np.int64),
        np.zeros(span + 1),
        np.zeros(7, dtype=np.int64),
        np.zeros(k),
        np.zeros((4, k)),
        np.ones(k),
        np.zeros((k, _BINS)),
        np.zeros((k, _BINS)),
    )


class LimiterBank:
    """Integrated loudness of ``limiter(G * signal)`` for every gain in ``gains_db``, and of
    the signal itself, from groups of ``group_frames`` frames fed in order."""

    def __init__(
        self,
        gains_db: np.ndarray,
        limiter: LimiterParams,
        sample_rate: int,
        group_frames: int,
        step_frames: int,
    ) -> None:
        if step_frames % group_frames:
            raise ValueError("a 100 ms step must hold a whole number of groups")
        self.gains_db = np.asarray(gains_db, dtype=np.float64)
        gains = np.append(10.0 ** (self.gains_db / 20.0), 1.0)  # last: the unlimited signal
        limits = 10.0 ** (limiter.ceiling_dbtp / 20.0) / gains  # the peak each gain starts at
        limits[-1] = np.inf
        self.lowest_limit = float(limits.min())  # no gain limits a peak at or below this
        lookahead_frames = max(1, round(limiter.lookahead_ms * sample_rate / 1000.0))
        self.lookahead = math.ceil(lookahead_frames / group_frames)
        coeff = math.exp(-1000.0 * group_frames / (limiter.release_ms * sample_rate))
        self.per_step = step_frames // group_frames
        window = 4.0 * step_frames
        self._params = (limits, gains**2, coeff, self.lookahead, self.per_step, window)
        self._arrays = _state_arrays(gains.size, self.lookahead + 1)

    def feed(self, energy: np.ndarray, peak: np.ndarray) -> None:
        """Add the next groups: K-weighted energy (summed) and true peak (max) of each."""
        energy = np.ascontiguousarray(energy, dtype=np.float64)
        _feed(energy, np.ascontiguousarray(peak, dtype=np.float64), self._params, self._arrays)

    def finish(self, blocks: int) -> BankLoudness:
        """What was measured, for a track of ``blocks`` gating blocks (call once, after the
        last group)."""
        self.feed(np.zeros(self.lookahead), np.zeros(self.lookahead))
        counters = self._arrays[6]
        if counters[_IN_STEP]:
            self._close(blocks)  # the last, partial step
            counters[_IN_STEP] = 0
        while counters[_STEPS] < blocks + 3:
            self._close(blocks)
        hist_energy, hist_count = self._arrays[10], self._arrays[11]
        lufs = np.array([_gated(e, c) for e, c in zip(hist_energy, hist_count, strict=True)])
        limited = self._arrays[9] < 1.0  # the lowest limiter gain each column needed
        return BankLoudness(self.gains_db, lufs[:-1], limited[:-1], float(lufs[-1]))

    def _close(self, blocks: int) -> None:
        _, gain_sq, _, _, _, window = self._params
        step, recent, counters = self._arrays[7], self._arrays[8], self._arrays[6]
        hist_energy, hist_count = self._arrays[10], self._arrays[11]
        _close_step(step, recent, counters, gain_sq, window, blocks, hist_energy, hist_count)


def _gated(energy: np.ndarray, count: np.ndarray) -> float:
    """Two-stage gated loudness from a histogram of block loudness (bins of 0.01 LU)."""
    total = count.sum()
    if total == 0:
        return -math.inf
    mean = energy.sum() / total
    gate = -0.691 + 10.0 * math.log10(mean) + RELATIVE_GATE_LU
    centres = ABSOLUTE_GATE_LUFS + BIN_LU * (np.arange(energy.size) + 0.5)
    above = centres > gate
    if not count[above].any():
        return -math.inf
    return -0.691 + 10.0 * math.log10(energy[above].sum() / count[above].sum())
