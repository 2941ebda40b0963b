"""Lava's in-depth tutorial 09 (custom learning rules), run with import changes only.

The tutorial's code cells (lava-nc/lava,
tutorials/in_depth/tutorial09_custom_learning_rules.ipynb) are below as they are,
with ``lava.`` imports turned into ``kilauea.lava.``: a pair-based STDP rule written
as a string for ``Loihi2FLearningRule``, the tutorial's ``SELECT_TAG = "fixed_pt"``
and also ``"floating_pt"``. Its figures are written as PNGs (``plt.show`` saves the
current figure). The weights it learns equal lava-nc 0.10's: the final weight and the
steps at which the weight changes were measured by running the same cells under
lava-nc.
"""
import numpy as np
import pytest

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

# Measured under lava-nc 0.10 with the same cells: (final weight, steps (0-based) at
# which the weight changed).
LAVA_NC = {
    "floating_pt": (84.82731360049358, [75, 81, 83, 101, 103, 119, 121, 129, 187, 191, 195]),
    "fixed_pt": (76.0, [75, 81, 83, 101, 103, 119, 121, 129, 191, 195]),
}


def tutorial09(SELECT_TAG):  # noqa: C901 - the tutorial's cells, in order
    # --- cell: the custom rule
    from kilauea.lava.magma.core.learning.learning_rule import Loihi2FLearningRule

    # Learning rule coefficient
    on_pre_stdp = -2
    on_post_stdp = 2

    learning_rate = 1

    # Trace decay constants
    x1_tau = 10
    y1_tau = 10

    # Impulses
    x1_impulse = 16
    y1_impulse = 16

    # Epoch length
    t_epoch = 2

    # Define dw as string
    dw = f"{learning_rate} * ({on_pre_stdp}) * x0 * y1 +" \
         f"{learning_rate} * {on_post_stdp} * y0 * x1"

    # Create custom LearningRule
    stdp = Loihi2FLearningRule(dw=dw,
                               x1_impulse=x1_impulse,
                               x1_tau=x1_tau,
                               y1_impulse=y1_impulse,
                               y1_tau=y1_tau,
                               t_epoch=t_epoch)

    # --- cell: network parameters
    # Set this tag to "fixed_pt" or "floating_pt" to choose the corresponding models.

    # LIF parameters
    if SELECT_TAG == "fixed_pt":
        du = 4095
        dv = 4095
    elif SELECT_TAG == "floating_pt":
        du = 1
        dv = 1
    vth = 240

    # Number of neurons per layer
    num_neurons = 1
    shape_lif = (num_neurons, )
    shape_conn = (num_neurons, num_neurons)

    # Connection parameters

    # SpikePattern -> LIF connection weight
    wgt_inp = np.eye(num_neurons) * 250

    # LIF -> LIF connection initial weight (learning-enabled)
    wgt_plast_conn = np.full(shape_conn, 50)

    # Number of simulation time steps
    num_steps = 200
    time = list(range(1, num_steps + 1))

    # Spike times
    spike_prob = 0.03

    # Create spike rasters
    np.random.seed(123)
    spike_raster_pre = np.zeros((num_neurons, num_steps))
    np.place(spike_raster_pre, np.random.rand(num_neurons, num_steps) < spike_prob, 1)

    spike_raster_post = np.zeros((num_neurons, num_steps))
    np.place(spike_raster_post, np.random.rand(num_neurons, num_steps) < spike_prob, 1)

    # --- cells: the network
    from kilauea.lava.proc.lif.process import LIF
    from kilauea.lava.proc.io.source import RingBuffer
    from kilauea.lava.proc.dense.process import LearningDense, Dense

    # Create input devices
    pattern_pre = RingBuffer(data=spike_raster_pre.astype(int))
    pattern_post = RingBuffer(data=spike_raster_post.astype(int))

    # Create input connectivity
    conn_inp_pre = Dense(weights=wgt_inp)
    conn_inp_post = Dense(weights=wgt_inp)

    # Create pre-synaptic neurons
    lif_pre = LIF(u=0,
                  v=0,
                  du=du,
                  dv=du,
                  bias_mant=0,
                  bias_exp=0,
                  vth=vth,
                  shape=shape_lif,
                  name='lif_pre')

    # Create plastic connection
    plast_conn = LearningDense(weights=wgt_plast_conn,
                               learning_rule=stdp,
                               name='plastic_dense')

    # Create post-synaptic neuron
    lif_post = LIF(u=0,
                   v=0,
                   du=du,
                   dv=du,
                   bias_mant=0,
                   bias_exp=0,
                   vth=vth,
                   shape=shape_lif,
                   name='lif_post')

    # Connect network
    pattern_pre.s_out.connect(conn_inp_pre.s_in)
    conn_inp_pre.a_out.connect(lif_pre.a_in)

    pattern_post.s_out.connect(conn_inp_post.s_in)
    conn_inp_post.a_out.connect(lif_post.a_in)

    lif_pre.s_out.connect(plast_conn.s_in)
    plast_conn.a_out.connect(lif_post.a_in)

    # Connect back-propagating action potential (BAP)
    lif_post.s_out.connect(plast_conn.s_in_bap)

    # --- cells: monitors
    from kilauea.lava.proc.monitor.process import Monitor

    # Create monitors
    mon_pre_trace = Monitor()
    mon_post_trace = Monitor()
    mon_pre_spikes = Monitor()
    mon_post_spikes = Monitor()
    mon_weight = Monitor()

    # Connect monitors
    mon_pre_trace.probe(plast_conn.x1, num_steps)
    mon_post_trace.probe(plast_conn.y1, num_steps)
    mon_pre_spikes.probe(lif_pre.s_out, num_steps)
    mon_post_spikes.probe(lif_post.s_out, num_steps)
    mon_weight.probe(plast_conn.weights, num_steps)

    # --- cells: running
    from kilauea.lava.magma.core.run_conditions import RunSteps
    from kilauea.lava.magma.core.run_configs import Loihi2SimCfg

    # Running
    pattern_pre.run(condition=RunSteps(num_steps=num_steps),
                    run_cfg=Loihi2SimCfg(select_tag=SELECT_TAG))

    # Get data from monitors
    pre_trace = mon_pre_trace.get_data()['plastic_dense']['x1']
    post_trace = mon_post_trace.get_data()['plastic_dense']['y1']
    pre_spikes = mon_pre_spikes.get_data()['lif_pre']['s_out']
    post_spikes = mon_post_spikes.get_data()['lif_post']['s_out']
    weights = mon_weight.get_data()['plastic_dense']['weights'][:, :, 0]

    # Stopping
    pattern_pre.stop()

    # --- cells: results
    # Plotting pre- and post- spike arrival
    def plot_spikes(spikes, legend, colors):
        offsets = list(range(1, len(spikes) + 1))

        plt.figure(figsize=(10, 3))

        spikes_plot = plt.eventplot(positions=spikes,  # noqa: F841
                                    lineoffsets=offsets,
                                    linelength=0.9,
                                    colors=colors)

        plt.title("Spike arrival")
        plt.xlabel("Time steps")
        plt.ylabel("Neurons")
        plt.yticks(ticks=offsets, labels=legend)

        plt.show()

    # Plot spikes
    plot_spikes(spikes=[np.where(post_spikes[:, 0])[0], np.where(pre_spikes[:, 0])[0]],
                legend=['Post', 'Pre'],
                colors=['#370665', '#f14a16'])

    # Plotting trace dynamics

    def plot_time_series(time, time_series, ylabel, title):
        plt.figure(figsize=(10, 1))

        plt.step(time, time_series)

        plt.title(title)
        plt.xlabel("Time steps")
        plt.ylabel(ylabel)

        plt.show()

    # Plotting pre trace dynamics
    plot_time_series(time=time, time_series=pre_trace, ylabel="Trace value", title="Pre trace")
    # Plotting post trace dynamics
    plot_time_series(time=time, time_series=post_trace, ylabel="Trace value",
                     title="Post trace")
    # Plotting weight dynamics
    plot_time_series(time=time, time_series=weights, ylabel="Weight value",
                     title="Weight dynamics")

    def extract_stdp_weight_changes(time, spikes_pre, spikes_post, wgt):
        # Compute the weight changes for every weight change event
        w_diff = np.zeros(wgt.shape)
        w_diff[1:] = np.diff(wgt)

        w_diff_non_zero = np.where(w_diff != 0)
        dw = w_diff[w_diff_non_zero].tolist()

        # Find the absolute time of every weight change event
        time = np.array(time)
        t_non_zero = time[w_diff_non_zero]

        # Compute the difference between post and pre synaptic spike time for every
        # weight change event
        spikes_pre = np.array(spikes_pre)
        spikes_post = np.array(spikes_post)
        dt = []
        for i in range(0, len(dw)):
            time_stamp = t_non_zero[i]
            t_post = (spikes_post[np.where(spikes_post <= time_stamp)])[-1]
            t_pre = (spikes_pre[np.where(spikes_pre <= time_stamp)])[-1]
            dt.append(t_post-t_pre)

        return np.array(dt), np.array(dw)

    def plot_stdp(time, spikes_pre, spikes_post, wgt,
                  on_pre_stdp, y1_impulse, y1_tau,
                  on_post_stdp, x1_impulse, x1_tau):
        # Derive weight changes as a function of time differences
        diff_t, diff_w = extract_stdp_weight_changes(time, spikes_pre, spikes_post, wgt)

        # Derive learning rule coefficients
        on_pre_stdp = eval(str(on_pre_stdp).replace("^", "**"))
        a_neg = on_pre_stdp * y1_impulse
        on_post_stdp = eval(str(on_post_stdp).replace("^", "**"))
        a_pos = on_post_stdp * x1_impulse

        # Derive x-axis limit (absolute value)
        max_abs_dt = np.maximum(np.abs(np.max(diff_t)), np.abs(np.min(diff_t)))

        # Derive x-axis for learning window computation (negative part)
        x_neg = np.linspace(-max_abs_dt, 0, 1000)
        # Derive learning window (negative part)
        w_neg = a_neg * np.exp(x_neg / y1_tau)

        # Derive x-axis for learning window computation (positive part)
        x_pos = np.linspace(0, max_abs_dt, 1000)
        # Derive learning window (positive part)
        w_pos = a_pos * np.exp(- x_pos / x1_tau)

        plt.figure(figsize=(10, 5))

        plt.scatter(diff_t, diff_w, label="Weight changes", color="b")

        plt.plot(x_neg, w_neg, label="W-", color="r")
        plt.plot(x_pos, w_pos, label="W+", color="g")

        plt.title("STDP weight changes - Learning window")
        plt.xlabel('t_post - t_pre')
        plt.ylabel('Weight change')
        plt.legend()
        plt.grid()

        plt.show()

    # Plot STDP window
    plot_stdp(time, np.where(pre_spikes[:, 0]), np.where(post_spikes[:, 0]), weights[:, 0],
              on_pre_stdp, stdp.y1_impulse, stdp.x1_tau,
              on_post_stdp, stdp.x1_impulse, stdp.y1_tau)
    return weights, pre_spikes, post_spikes


@pytest.mark.parametrize("select_tag", ["floating_pt", "fixed_pt"])
def test_tutorial09_custom_learning_rules(png_show, select_tag):
    weights, pre_spikes, post_spikes = tutorial09(select_tag)
    assert len(png_show) == 5 and all(p.stat().st_size > 1000 for p in png_show)
    assert pre_spikes.sum() > 0 and post_spikes.sum() > 0
    w = np.asarray(weights)[:, 0]
    final, changes = LAVA_NC[select_tag]
    np.testing.assert_allclose(w[-1], final, rtol=1e-9)
    np.testing.assert_array_equal(np.flatnonzero(np.diff(w) != 0) + 1, changes)
