"""Where every input and output of the preparation steps lives (paths relative to the repository
root, as the configs name them). ``data/README.md`` shows the same tree."""
import os

DATA = 'data'
METADATA = 'data/metadata'           # the one place for class lists, category info, embeddings

# COCO 2017 (official archives unpacked under data/coco)
COCO = 'data/coco'
COCO_INSTANCES = 'annotations/instances_{split}2017.json'
COCO_CAPTIONS = 'annotations/captions_{split}2017.json'
COCO_PANOPTIC = 'annotations/panoptic_{split}2017.json'
# derived from COCO
COCO_CLIM_CAPTIONS = 'annotations/captions_train2017_clim.json'
COCO_DETIC_CAPTIONS = 'wusize/captions_train2017_tags_allcaps.json'
COCO_OV_BASE_TRAIN = 'wusize/instances_train2017_base.json'
COCO_OV_BASE_VAL = 'wusize/instances_val2017_base.json'
COCO_OV_NOVEL_VAL = 'wusize/instances_val2017_novel.json'
COCO_PANOPTIC_CLASSES = 'coco_panoptic_classes.txt'   # under METADATA

# LVIS v1 (annotations under data/lvis_v1/annotations; images are COCO 2017's)
LVIS = 'data/lvis_v1'
LVIS_ANN = 'annotations/lvis_v1_{split}.json'
# derived from LVIS
LVIS_NORARE = 'annotations/lvis_v1_train_norare.json'
LVIS_BASE = 'wusize/lvis_v1_train_base.json'
LVIS_CAT_INFO = 'lvis_v1_train_cat_info.json'          # under METADATA
LVIS_CAT_NORARE_INFO = 'lvis_v1_train_cat_norare_info.json'  # under METADATA

# CC3M (official TSV + downloaded images under data/cc3m)
CC3M = 'data/cc3m'
CC3M_TSV = 'Train_GCC-training.tsv'
CC3M_IMAGES = 'images'
CC3M_CLIM_CAPTIONS = 'cc3m_captions_train.json'
CC3M_DETIC_TAGS = 'annotations/train_image_info_tags.json'
CC3M_SKIPPED = 'cc3m_captions_train_skipped.tsv'

# CLIP checkpoints
CHECKPOINTS = 'checkpoints'


def join(root: str, rel: str, **fmt) -> str:
    """``root/rel`` with ``{split}``-style fields filled."""
    return os.path.join(root, rel.format(**fmt))
