"""ovdet.runtime: what --resume of tools/train.py turns into."""
from mmengine.config import Config

from ovdet.runtime import resolve_resume


def test_resume_with_nothing_to_resume_says_it_starts_fresh(tmp_path, capsys):
    cfg = Config(dict(work_dir=str(tmp_path / 'empty')))
    resolve_resume(cfg, 'auto')
    assert (cfg.resume, cfg.load_from) == (False, None)
    assert 'no checkpoint in' in capsys.readouterr().out


def test_resume_finds_the_newest_checkpoint_or_takes_the_given_one(tmp_path, capsys):
    (tmp_path / 'iter_4.pth').write_bytes(b'')
    (tmp_path / 'last_checkpoint').write_text(str(tmp_path / 'iter_4.pth'))
    cfg = Config(dict(work_dir=str(tmp_path)))
    resolve_resume(cfg, 'auto')
    assert (cfg.resume, cfg.load_from) == (True, str(tmp_path / 'iter_4.pth'))
    assert 'continuing from' in capsys.readouterr().out
    resolve_resume(cfg, 'given.pth')
    assert (cfg.resume, cfg.load_from) == (True, 'given.pth')
    untouched = Config(dict(work_dir=str(tmp_path), resume=False, load_from='init.pth'))
    resolve_resume(untouched, None)
    assert (untouched.resume, untouched.load_from) == (False, 'init.pth')
