"""The spike phase of plastic connections (LearningDense, LearningSparse)."""
from __future__ import annotations

import numpy as np

from ... import numerics as nx
from .._api import PyLoihiProcessModel


class LearningConnectionStep(PyLoihiProcessModel):
    """The spike phase of a plastic connection: send the previous step's sums,
    receive and accumulate this step's input, then ``recv_traces`` (the plastic
    connection's bookkeeping, see :mod:`kilauea.proc.plastic.models`)."""

    fixed_point = False
    weights_set = False

    def run_spk(self) -> None:
        if self.fixed_point and not self.weights_set:
            self.weights = self.truncated(nx.truncate_weights(
                self.weights, self.sign_mode, self.proc_params.get("num_weight_bits", 8)))
            self.weights_set = True
        self.a_out.send(self.a_buff)
        nmb = int(np.asarray(self.num_message_bits).reshape(-1)[0])
        s_in = self.s_in.recv()
        if nmb == 0:
            s_in = np.asarray(s_in).astype(bool)    # the traces see a binary spike too
        a_accum = nx.accumulate(self.weights, s_in, nmb)
        if self.fixed_point:
            weight_exp = int(self.proc_params.get("weight_exp", 0))
            a_accum = nx.scale_sum(a_accum, weight_exp, nmb > 0)
        self.a_buff = a_accum
        self.recv_traces(s_in)

    @staticmethod
    def truncated(weights):
        """Hook on the truncated weights (LearningSparse drops the zeros)."""
        return weights
