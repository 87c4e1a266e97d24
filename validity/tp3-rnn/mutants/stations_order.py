# lose: Q3
# message: tp3_stations_order
# why: permute(1, 2, 0, 3): series ordered station by station (index s·B + b) instead of example by example
def stations_as_batch(x):
    batch, length, stations, dim = x.shape
    return x.permute(1, 2, 0, 3).reshape(length, batch * stations, dim)
