"""The pixel statistics of OpenAI's CLIP preprocessing: the one definition in ovdet.

Every image fed to a CLIP tower is normalised per channel as ``x_norm = (x - mean) / std``.
OpenAI states the statistics as fractions of 1 (for pixels in [0, 1]); mmengine's data
preprocessors see 0-255 pixels, so the same numbers are also given times 255. mmdet's image
loaders keep OpenCV's BGR order; the ``_BGR`` tuples are the 0-255 statistics in that order
(e.g. a ``Pad`` value that becomes 0 after normalisation).
"""
#: RGB mean and std as fractions of 1 (pixels in [0, 1]).
OPENAI_MEAN = (0.48145466, 0.4578275, 0.40821073)
OPENAI_STD = (0.26862954, 0.26130258, 0.27577711)

#: RGB mean and std on the 0-255 pixel scale.
OPENAI_MEAN_255 = tuple(255 * m for m in OPENAI_MEAN)
OPENAI_STD_255 = tuple(255 * s for s in OPENAI_STD)

#: The 0-255 statistics in BGR channel order.
OPENAI_MEAN_255_BGR = OPENAI_MEAN_255[::-1]
OPENAI_STD_255_BGR = OPENAI_STD_255[::-1]
