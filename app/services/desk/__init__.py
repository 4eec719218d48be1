"""The supervisor's desk: the order list, holds, actions on one order, look-up of any scan."""
