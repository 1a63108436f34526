"""Reading sequences, one-hot encoding, shuffles, splits and the simulated dataset."""

from gdashboard.data.onehot import ALPHABET, one_hot_decode, one_hot_encode
from gdashboard.data.readers import Dataset, experiment_name, read_dataset, tf_name
from gdashboard.data.split import train_validation_split

__all__ = [
    "ALPHABET",
    "one_hot_encode",
    "one_hot_decode",
    "Dataset",
    "read_dataset",
    "experiment_name",
    "tf_name",
    "train_validation_split",
]
