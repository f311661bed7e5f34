"""FeatureQueues: newest first, bounded, invalid rows filtered when read, never in the weights;
their contents go through training checkpoints as training state."""
import pytest
import torch

from ovdet.models.common import FeatureQueues


def test_empty_at_start_then_newest_first_and_bounded():
    q = FeatureQueues({'cap': 3}, id_length=2)
    feats, ids = q.get('cap', dim=4)
    assert feats.shape == (0, 4) and ids.shape == (0, 2)
    q.enqueue('cap', torch.ones(2, 4), torch.tensor([[1, 1], [2, 2]]))
    feats, ids = q.get('cap')
    assert ids.tolist() == [[1, 1], [2, 2]]  # 3 slots, one still invalid (ids -1) and filtered
    assert q.cap_ids.shape == (3, 2) and q.cap_ids[2].tolist() == [-1, -1]
    q.enqueue('cap', 2 * torch.ones(2, 4), torch.tensor([[3, 3], [4, -1]]))
    feats, ids = q.get('cap')
    assert ids.tolist() == [[3, 3], [4, -1], [1, 1]]  # newest first, the oldest fell off
    assert feats[:, 0].tolist() == [2, 2, 1]


def test_rows_with_all_negative_ids_stay_in_the_buffer_but_are_not_read():
    q = FeatureQueues(['a'], id_length=3, default_length=4)
    q.enqueue('a', torch.arange(8.).view(2, 4), torch.tensor([[-1, -1, -1], [5, -1, -1]]))
    feats, ids = q.get('a')
    assert ids.tolist() == [[5, -1, -1]] and feats.tolist() == [[4, 5, 6, 7]]
    assert (q.a_ids[0] == -1).all() and q.a_feats.shape == (4, 4)


def test_queues_are_not_in_checkpoints_and_check_shapes():
    q = FeatureQueues({'cap': 2}, id_length=1)
    q.enqueue('cap', torch.ones(1, 3), torch.tensor([7]))
    assert q.state_dict() == {}
    with pytest.raises(ValueError, match='width 3'):
        q.enqueue('cap', torch.ones(1, 5), torch.tensor([1]))
    with pytest.raises(ValueError, match='ids must be'):
        q.enqueue('cap', torch.ones(2, 3), torch.tensor([[1, 2]]))
    with pytest.raises(KeyError, match='no queue'):
        q.get('other')


def test_training_state_puts_the_same_queues_back():
    q = FeatureQueues({'cap': 3, 'img': 2}, id_length=2)
    q.enqueue('cap', torch.arange(8.).view(2, 4), torch.tensor([[1, 2], [3, -1]]))
    state = q.training_state()
    assert set(state) == {'cap_feats', 'cap_ids', 'img_feats', 'img_ids'}
    q.enqueue('cap', torch.ones(1, 4), torch.tensor([[9, 9]]))  # the state is a copy
    fresh = FeatureQueues({'cap': 3, 'img': 2}, id_length=2)
    fresh.load_training_state(state)
    feats, ids = fresh.get('cap')
    assert ids.tolist() == [[1, 2], [3, -1]] and feats.tolist() == [[0, 1, 2, 3], [4, 5, 6, 7]]
    assert fresh.cap_ids.shape == (3, 2) and fresh.cap_ids[2].tolist() == [-1, -1]
    assert fresh.get('img', dim=4)[0].shape == (0, 4)  # never filled: still empty
    fresh.enqueue('cap', torch.full((1, 4), 5.), torch.tensor([[4, 4]]))  # and goes on from there
    assert fresh.get('cap')[1].tolist() == [[4, 4], [1, 2], [3, -1]]
    assert not FeatureQueues.training_state_is_shared  # one set of queues per process


def test_training_state_of_other_queues_is_refused():
    state = FeatureQueues({'cap': 2}, id_length=2).training_state()
    with pytest.raises(ValueError, match='these queues are'):
        FeatureQueues({'other': 2}, id_length=2).load_training_state(state)
    state['cap_ids'] = torch.zeros(2, 3, dtype=torch.long)
    with pytest.raises(ValueError, match='ids of length 2'):
        FeatureQueues({'cap': 2}, id_length=2).load_training_state(state)
