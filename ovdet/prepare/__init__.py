"""Every derived dataset and metadata file, made from the official downloads.

One module per step, each behind a ``tools/prepare_data.py`` subcommand:

==============  =====================================================================================
``coco``        :func:`prepare_coco`: CLIM and Detic caption jsons, OV-COCO base / novel jsons,
                the panoptic class list
``cc3m``        :func:`prepare_cc3m`: CLIM caption json and LVIS-tagged Detic json from the TSV and
                the downloaded images (layouts in :mod:`.cc3m_images`)
``lvis``        :func:`prepare_lvis`: category info (and its no-rare variant), the no-rare / base
                training json
``embeddings``  :func:`prepare_embeddings`: the class-embedding ``.npy`` files of one CLIP, each with
                its sidecar (:mod:`.embedding_files`, shared with
                ``tools/generate_text_embeddings.py``)
``check``       :func:`run_check`: what the recipes need, and whether it is there and right
==============  =====================================================================================

Caption tags follow one rule (:mod:`.tags`); paths are in :mod:`.layout`; where each file comes
from is in :mod:`.sources`. Every step checks its inputs (:mod:`.schema`: the entries of the
official jsons; one :class:`PrepareError` line naming the file and the entry), counts what it
leaves out (:mod:`.annotation_split`), writes its outputs all or none and only when they change
(:class:`.files.Outputs`), and prints what it read and wrote (:mod:`.report`). Importing this
package (or any module of it) imports no torch, no detector code and no compiled mmcv op, so the
command line starts fast; ``embeddings`` and ``check`` import ``ovdet.clip`` (and with it torch)
only when they run, and ``check`` mmengine's config reader.
"""
from .cc3m import prepare_cc3m
from .check import check_configs, format_table, run_check
from .coco import prepare_coco
from .embeddings import prepare_embeddings
from .lvis import prepare_lvis
from .report import PrepareError, Report
from .tags import TagMatcher

__all__ = ['PrepareError', 'Report', 'TagMatcher', 'check_configs', 'format_table',
           'prepare_cc3m', 'prepare_coco', 'prepare_embeddings', 'prepare_lvis', 'run_check']
