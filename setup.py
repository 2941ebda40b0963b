"""Maps the architecture folders onto the one import namespace `kilauea`.

    sw/  -> kilauea      host API, process library, compiler, runtime
    hw/  -> kilauea.hw   Amaranth RTL and the chip's own definitions
    sim/ -> kilauea.sim  golden model and simulation engines

Everything else about the package lives in pyproject.toml.
"""
from setuptools import find_packages, setup

ROOTS = {"kilauea": "sw", "kilauea.hw": "hw", "kilauea.sim": "sim"}

packages: list[str] = []
package_dir: dict[str, str] = {}
for name, folder in ROOTS.items():
    package_dir[name] = folder
    packages.append(name)
    packages += [f"{name}.{sub}" for sub in find_packages(folder)]

# non-Python files the package needs at run time
package_data = {"kilauea.sim.cxxrtl": ["driver.cc", "hostjobs.h"],
                "kilauea.sim.verilator": ["driver.cpp"]}

setup(packages=packages, package_dir=package_dir, package_data=package_data)
