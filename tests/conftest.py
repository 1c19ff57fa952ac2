import matplotlib

# Headless and in-process only: an MPLBACKEND environment variable would reach the kernels
# that nbval and the book build start, and their inline figures would silently vanish.
matplotlib.use("Agg")
