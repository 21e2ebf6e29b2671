"""Coarse centroids for an inverted-file index over document embeddings."""

from typing import Any

import faiss
import numpy as np
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.decomposition import PCA, TruncatedSVD
from sklearn.utils.extmath import randomized_svd


def coarse_centroids(embeddings: np.ndarray, lists: int) -> np.ndarray:
    return KMeans(n_clusters=lists, n_init=1).fit(embeddings).cluster_centers_


def streaming_centroids(embeddings: np.ndarray, lists: int) -> np.ndarray:
    return MiniBatchKMeans(n_clusters=lists, batch_size=4096).fit(embeddings).cluster_centers_


def reduce(embeddings: np.ndarray, dims: int) -> np.ndarray:
    projected = TruncatedSVD(n_components=dims).fit_transform(embeddings)
    whitened = PCA(n_components=dims, svd_solver="randomized").fit_transform(embeddings)
    exact = PCA(n_components=dims, svd_solver="full").fit_transform(embeddings)
    auto = PCA(n_components=dims).fit_transform(embeddings)
    return np.hstack([projected, whitened, exact, auto])


def top_components(matrix: np.ndarray, k: int) -> np.ndarray:
    _, _, vt = randomized_svd(matrix, n_components=k)
    return vt


def seeded_centroids(embeddings: np.ndarray, lists: int, options: dict[str, Any]) -> np.ndarray:
    fixed = KMeans(n_clusters=lists, random_state=17).fit(embeddings).cluster_centers_
    configured = KMeans(n_clusters=lists, **options).fit(embeddings).cluster_centers_
    return np.vstack([fixed, configured])


def faiss_centroids(embeddings: np.ndarray, lists: int) -> np.ndarray:
    kmeans = faiss.Kmeans(embeddings.shape[1], lists, niter=20)
    kmeans.train(embeddings.astype("float32"))
    return kmeans.centroids
