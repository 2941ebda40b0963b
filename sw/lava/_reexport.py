"""Re-export the public names a kilauea module defines, under a Lava path."""
import types


def reexport(namespace: dict, *modules: types.ModuleType) -> list:
    """Copy into ``namespace`` every public class and function defined in
    ``modules`` (not names they merely import); return their names."""
    names = []
    for module in modules:
        for key, value in vars(module).items():
            if key.startswith("_"):
                continue
            if getattr(value, "__module__", None) == module.__name__:
                namespace[key] = value
                names.append(key)
    return names
