import os
import urllib.request

from timm.models import hub as timm_hub


def cached(url, cache_dir):
    target = os.path.join(cache_dir, os.path.basename(url))
    if not os.path.exists(target):
        urllib.request.urlretrieve(url, target)
    return target


def fetched_by_timm(url):
    timm_hub.download_cached_file(url, check_hash=False)
    return os.path.join(timm_hub.get_cache_dir(), os.path.basename(url))


def warm(url, cache_dir):
    urllib.request.urlretrieve(url, os.path.join(cache_dir, "warm.bin"))


def local(cache_dir, name):
    return os.path.join(cache_dir, name)
