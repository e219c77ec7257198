"""Names for customers who gave none: "Adjective Color Animal", from our own word lists."""

from __future__ import annotations

import secrets

ADJECTIVES = """
Able Agile Alert Amber Ample Arctic Brave Breezy Bright Brisk Bubbly Busy Calm Candid Careful
Cheerful Chief Civil Clever Cosmic Cozy Crisp Curious Daring Dapper Dashing Deft Direct Eager
Early Earnest Easy Elegant Epic Even Fair Famous Fancy Fast Fearless Fine Firm Fluent Fond Frank
Free Fresh Friendly Gentle Giant Gifted Glad Golden Grand Great Happy Hardy Hearty Honest Humble
Ideal Jolly Jovial Keen Kind Large Lively Loyal Lucky Merry Mighty Modest Neat Nimble Noble
Patient Plucky Polite Proud Quick Quiet Rapid Ready Regal Robust Royal Savvy Sharp Shiny Sincere
Smart Smooth Snappy Solid Speedy Spry Steady Sunny Swift Tidy Tough Trusty Upbeat Valiant Vivid
Warm Wise Witty Zany Zesty
""".split()
COLORS = """
Amber Aqua Azure Beige Black Blue Bronze Brown Coral Crimson Cyan Emerald Fuchsia Gold Gray
Green Indigo Ivory Jade Khaki Lavender Lemon Lilac Lime Magenta Maroon Mint Navy Olive Orange
Peach Pink Plum Purple Red Rose Ruby Salmon Sapphire Scarlet Silver Tan Teal Turquoise Violet
White Yellow
""".split()
ANIMALS = """
Albatross Alpaca Anteater Antelope Armadillo Badger Bat Bear Beaver Bison Bobcat Buffalo Camel
Caribou Cheetah Chipmunk Cobra Condor Cougar Coyote Crane Crow Deer Dingo Dolphin Donkey Dove
Eagle Eel Elephant Elk Emu Falcon Ferret Finch Flamingo Fox Frog Gazelle Gecko Gerbil Gibbon
Giraffe Gnu Goat Goose Gopher Gorilla Grouse Gull Hamster Hare Hawk Hedgehog Heron Hippo Horse
Hyena Ibex Ibis Iguana Impala Jackal Jaguar Kangaroo Kestrel Kiwi Koala Lemur Leopard Lion Llama
Lobster Lynx Macaw Magpie Manatee Marmot Meerkat Mink Mole Mongoose Moose Narwhal Newt Ocelot
Octopus Okapi Opossum Orca Oriole Osprey Ostrich Otter Owl Ox Panda Panther Parrot Pelican
Penguin Pheasant Pigeon Porcupine Puffin Puma Quail Rabbit Raccoon Raven Reindeer Robin Salmon
Seal Shark Sheep Skunk Sloth Sparrow Squid Squirrel Stork Swan Tapir Tiger Toucan Turtle Viper
Vulture Walrus Weasel Whale Wolf Wombat Woodpecker Yak Zebra
""".split()


def random_name() -> str:
    return " ".join(secrets.choice(words) for words in (ADJECTIVES, COLORS, ANIMALS))
