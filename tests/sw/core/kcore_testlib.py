"""Small processes and models for the host-API tests (not the library's)."""
import numpy as np

from kilauea import (CPU, AbstractProcess, AbstractSubProcessModel, InPort,
                     LavaPyType, LoihiProtocol, OutPort, PyInPort,
                     PyLoihiProcessModel, PyOutPort, Var, implements, requires,
                     tag)


# ------------------------------------------------------------------ neuron
class Neuron(AbstractProcess):
    """A float leaky integrate-and-fire neuron (Lava's LIF float equations)."""

    def __init__(self, *, shape, bias=0.0, vth=10.0, du=0.1, dv=0.1, **kwargs):
        super().__init__(shape=shape, bias=bias, vth=vth, du=du, dv=dv, **kwargs)
        self.a_in = InPort(shape=shape)
        self.s_out = OutPort(shape=shape)
        self.u = Var(shape=shape, init=0.0)
        self.v = Var(shape=shape, init=0.0)
        self.bias = Var(shape=shape, init=bias)
        self.vth = Var(shape=(1,), init=vth)
        self.du = Var(shape=(1,), init=du)
        self.dv = Var(shape=(1,), init=dv)


@implements(proc=Neuron, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyNeuronFloat(PyLoihiProcessModel):
    a_in = LavaPyType(PyInPort.VEC_DENSE, float)
    s_out = LavaPyType(PyOutPort.VEC_DENSE, bool)
    u = LavaPyType(np.ndarray, float)
    v = LavaPyType(np.ndarray, float)
    bias = LavaPyType(np.ndarray, float)
    vth = LavaPyType(float, float)
    du = LavaPyType(float, float)
    dv = LavaPyType(float, float)

    def run_spk(self):
        a = self.a_in.recv()
        self.u[:] = self.u * (1 - self.du) + a
        self.v[:] = self.v * (1 - self.dv) + self.u + self.bias
        s = self.v > self.vth
        self.v[s] = 0
        self.s_out.send(s)


@implements(proc=Neuron, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyNeuronFixed(PyLoihiProcessModel):
    """Integer variant: v += a + bias, spike when v > vth, v = 0 after."""

    a_in = LavaPyType(PyInPort.VEC_DENSE, np.int32)
    s_out = LavaPyType(PyOutPort.VEC_DENSE, bool)
    u = LavaPyType(np.ndarray, np.int32)
    v = LavaPyType(np.ndarray, np.int32)
    bias = LavaPyType(np.ndarray, np.int32)
    vth = LavaPyType(int, int)
    du = LavaPyType(float, float)
    dv = LavaPyType(float, float)

    def run_spk(self):
        a = self.a_in.recv()
        self.v[:] = self.v + a + self.bias + 1000
        s = self.v > self.vth
        self.v[s] = 0
        self.s_out.send(s)


# ------------------------------------------------------------------ dense
class Conn(AbstractProcess):
    """Dense weights; sends last step's accumulation (Lava's Dense timing)."""

    def __init__(self, *, weights, **kwargs):
        super().__init__(weights=weights, **kwargs)
        n_out, n_in = weights.shape
        self.s_in = InPort(shape=(n_in,))
        self.a_out = OutPort(shape=(n_out,))
        self.weights = Var(shape=weights.shape, init=weights)
        self.a_buff = Var(shape=(n_out,), init=0.0)


@implements(proc=Conn, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyConn(PyLoihiProcessModel):
    s_in = LavaPyType(PyInPort.VEC_DENSE, bool)
    a_out = LavaPyType(PyOutPort.VEC_DENSE, float)
    weights = LavaPyType(np.ndarray, float)
    a_buff = LavaPyType(np.ndarray, float)

    def run_spk(self):
        self.a_out.send(self.a_buff)
        s = self.s_in.recv().astype(bool)
        self.a_buff = self.weights[:, s].sum(axis=1)


# ------------------------------------------------------------------ io
class Source(AbstractProcess):
    """Sends ``data[:, t-1]`` at step t (cycling)."""

    def __init__(self, *, data, **kwargs):
        super().__init__(data=data, **kwargs)
        self.s_out = OutPort(shape=data.shape[:-1])
        self.data = Var(shape=data.shape, init=data)


@implements(proc=Source, protocol=LoihiProtocol)
@requires(CPU)
class PySource(PyLoihiProcessModel):
    s_out = LavaPyType(PyOutPort.VEC_DENSE, float)
    data = LavaPyType(np.ndarray, float)

    def run_spk(self):
        self.s_out.send(self.data[..., (self.time_step - 1) % self.data.shape[-1]])


class Sink(AbstractProcess):
    """Stores what it receives at step t in ``data[:, t-1]``."""

    def __init__(self, *, shape, buffer, **kwargs):
        super().__init__(shape=shape, buffer=buffer, **kwargs)
        self.a_in = InPort(shape=shape)
        self.data = Var(shape=tuple(shape) + (buffer,), init=0.0)


@implements(proc=Sink, protocol=LoihiProtocol)
@requires(CPU)
class PySink(PyLoihiProcessModel):
    a_in = LavaPyType(PyInPort.VEC_DENSE, float)
    data = LavaPyType(np.ndarray, float)

    def run_spk(self):
        self.data[..., (self.time_step - 1) % self.data.shape[-1]] = self.a_in.recv()


# ------------------------------------------------------------------ hierarchy
class Layer(AbstractProcess):
    """Conn followed by Neuron, as one process with ``v`` aliased."""

    def __init__(self, *, weights, **kwargs):
        super().__init__(weights=weights, **kwargs)
        n_out, n_in = weights.shape
        self.s_in = InPort(shape=(n_in,))
        self.s_out = OutPort(shape=(n_out,))
        self.v = Var(shape=(n_out,), init=0.0)


@implements(proc=Layer, protocol=LoihiProtocol)
class SubLayerModel(AbstractSubProcessModel):
    def __init__(self, proc):
        w = proc.proc_params["weights"]
        self.conn = Conn(weights=w)
        self.neuron = Neuron(shape=(w.shape[0],))
        proc.in_ports.s_in.connect(self.conn.in_ports.s_in)
        self.conn.out_ports.a_out.connect(self.neuron.in_ports.a_in)
        self.neuron.out_ports.s_out.connect(proc.out_ports.s_out)
        proc.vars.v.alias(self.neuron.vars.v)


# ------------------------------------------------------------------ reference
def lif_float_step(u, v, a, bias, vth=10.0, du=0.1, dv=0.1):
    u = u * (1 - du) + a
    v = v * (1 - dv) + u + bias
    s = v > vth
    v = np.where(s, 0.0, v)
    return u, v, s


def reference_lif_dense_lif(w, bias1, steps):
    """numpy transcription of Neuron -> Conn -> Neuron; v2 and spikes per step."""
    n_in = w.shape[1]
    n_out = w.shape[0]
    u1 = np.zeros(n_in); v1 = np.zeros(n_in)
    u2 = np.zeros(n_out); v2 = np.zeros(n_out)
    buff = np.zeros(n_out)
    v2s, s2s = [], []
    for _ in range(steps):
        u1, v1, s1 = lif_float_step(u1, v1, 0.0, bias1)
        a, buff = buff, w[:, s1].sum(axis=1)
        u2, v2, s2 = lif_float_step(u2, v2, a, 0.0)
        v2s.append(v2); s2s.append(s2)
    return np.array(v2s), np.array(s2s), v1
