"""The contrastive losses of BARON: InfoNCE with masked negatives, soft-target cross-entropy."""
import torch
import torch.nn.functional as F

NEG_INF = float('-inf')


def masked_infonce(queries: torch.Tensor, keys: torch.Tensor, queue_keys: torch.Tensor,
                   same_group: torch.Tensor, query_images: torch.Tensor,
                   queue_images: torch.Tensor, temperature: float) -> torch.Tensor:
    """One direction of BARON's InfoNCE; query i's positive is key i.

    queries (N, D), keys (N, D) (unit rows, row i of each is the same bag / region), queue_keys
    (Q, D); same_group (N, N) bool: True where two in-batch entries describe the same thing in
    another form (other permutations of a group, the same box); query_images (N,) and
    queue_images (Q,) int image ids. Logits

        z_ij = temperature * q_i . [keys; queue_keys]_j
        z_ij = -inf  for in-batch j != i with same_group[i, j]
        z_ij = -inf  for queue j from the image of query i

    loss = mean_i CE(z_i, i): such entries are neither positives nor negatives.
    """
    logits = temperature * queries @ torch.cat([keys, queue_keys.to(keys)], dim=0).t()
    n = queries.shape[0]
    eye = torch.eye(n, dtype=torch.bool, device=queries.device)
    mask = torch.cat([same_group & ~eye,
                      query_images[:, None] == queue_images[None].to(query_images)], dim=1)
    logits = logits.masked_fill(mask, NEG_INF)
    return F.cross_entropy(logits, torch.arange(n, device=queries.device))


def symmetric_infonce(text: torch.Tensor, image: torch.Tensor, text_queue: torch.Tensor,
                      image_queue: torch.Tensor, group_ids: torch.Tensor,
                      image_ids: torch.Tensor, text_queue_images: torch.Tensor,
                      image_queue_images: torch.Tensor, temperature: float) -> torch.Tensor:
    """0.5 * (text -> [image; image queue]) + 0.5 * (image -> [text; text queue]), each
    :func:`masked_infonce`; ``group_ids`` (N,) int: entries with equal ids are masked for each
    other (BARON: sequence ids for bags, box ids for single regions)."""
    same = group_ids[:, None] == group_ids[None]
    return 0.5 * masked_infonce(text, image, image_queue, same, image_ids, image_queue_images,
                                temperature) \
        + 0.5 * masked_infonce(image, text, text_queue, same, image_ids, text_queue_images,
                               temperature)


def soft_target_cross_entropy(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """mean_i [ -Σ_j t_ij log softmax(z_i)_j / (Σ_j t_ij + 1e-6) ], logits z and targets t (N, M)."""
    log_p = F.log_softmax(logits, dim=-1)
    per_row = -(targets * log_p).sum(dim=-1) / (targets.sum(dim=-1) + 1e-6)
    return per_row.mean()
