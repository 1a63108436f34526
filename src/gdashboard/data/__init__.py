"""The lowest layer: reading sequence files (readers), one-hot encoding and its validator
(onehot), dinucleotide shuffles (shuffle), validation splits (split), the simulated dataset
(simulate, and its files: simulation_files), the pinned JASPAR release (jaspar, reference
motifs), the data home, the user's own data folder (paths), and the paper's own archive,
fetched and unpacked (fetch). Nothing here imports another layer of gdashboard."""

from gdashboard.data.onehot import ALPHABET, one_hot_decode, one_hot_encode, reverse_complement
from gdashboard.data.readers import Dataset, experiment_name, read_dataset, tf_name
from gdashboard.data.split import train_validation_split

__all__ = [
    "ALPHABET",
    "one_hot_encode",
    "reverse_complement",
    "one_hot_decode",
    "Dataset",
    "read_dataset",
    "experiment_name",
    "tf_name",
    "train_validation_split",
]
