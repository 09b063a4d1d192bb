package dev.inception.imagenet;

/** One class of a classifier: its index, WordNet id (empty for non-ImageNet heads) and label. */
public record ClassLabel(int index, String wnid, String label) {
}
