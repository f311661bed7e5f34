"""Installs the ovdet package (``pip install -e .`` is the normal way).

The pinned CPU/CI stack lives in ``requirements/``; ``tools/setup_env.sh`` installs it in the
order that works (torch first, then mmcv, then the rest).
"""
from setuptools import find_packages, setup

setup(
    name='ovdet',
    version='0.1.0',
    description='Open-vocabulary detection and CLIM region refinement of CLIP on MMDetection 3.x',
    packages=find_packages(include=['ovdet', 'ovdet.*']),
    package_data={'ovdet.clip': ['model_configs/*.json']},
    python_requires='>=3.9',
    install_requires=[],  # see requirements/*.txt; mmcv needs a special install path
)
