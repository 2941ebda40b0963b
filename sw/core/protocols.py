"""Synchronisation protocols: how a model's methods are scheduled.

``LoihiProtocol``: each time step runs the phases spk -> pre_mgmt -> lrn ->
post_mgmt over all processes, then the host phase between runs (see
docs/host-api.md for the exact guard rules). ``AsyncProtocol``: the model's
``run_async`` runs as a coroutine that yields once per step.
"""


class AbstractSyncProtocol:
    """Base class of synchronisation protocols."""

    runtime_service = None


class LoihiPhase:
    """Phase numbers, as in Lava."""

    SPK = 1
    PRE_MGMT = 2
    LRN = 3
    POST_MGMT = 4
    HOST = 5


class LoihiProtocol(AbstractSyncProtocol):
    """Loihi's phases: spk, pre_mgmt, lrn, post_mgmt; host between runs."""

    phases = ("spk", "pre_mgmt", "lrn", "post_mgmt", "host")
    proc_functions = ("run_spk", "run_pre_mgmt", "run_lrn", "run_post_mgmt")


class AsyncProtocol(AbstractSyncProtocol):
    """No phases: ``run_async`` with ``check_for_stop_cmd``."""
