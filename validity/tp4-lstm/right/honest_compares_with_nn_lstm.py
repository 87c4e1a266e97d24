# why: the reference LSTM, plus what honest students write around it: a comparison with nn.LSTM in a
# why: test cell, torch.backends and os.environ settings, getattr on their own gate weights
import os

os.environ["KMP_DUPLICATE_LIB_OK"] = "True"
torch.backends.cudnn.deterministic = True
_torch_lstm = nn.LSTM(3, 5)
_mine = LSTM(3, 5, 7)
_names = [getattr(_mine, name) for name in ("dim", "latent", "output")]
model = nn.LSTM(4, 6)
