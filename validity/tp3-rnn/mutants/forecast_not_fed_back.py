# lose: Q3
# message: tp3_forecast_not_fed_back
# why: after the first step, the last observation is fed again instead of the previous prediction
def forecast(model, x, horizon):
    h = model(x)[-1]
    predictions = [model.decode(h)]
    for _ in range(horizon - 1):
        h = model.one_step(x[-1], h)
        predictions.append(model.decode(h))
    return torch.stack(predictions)
