# `qtrain autoq` with the bayesian and hyperband samplers on the tiny jet
# tagger (one-epoch trials).
# Bayesian with a layer group and the learning-rate choice: two random
# trials, one chosen by the Gaussian process; fc1 and fc2 share their
# quantizers; a --resume runs nothing.
set(AUTOQ_BAYES_OUT ${CMAKE_CURRENT_BINARY_DIR}/autoq_bayes)
file(WRITE ${CMAKE_CURRENT_BINARY_DIR}/autoq_bayes.json
  "{\"run\": \"${PROJECT_SOURCE_DIR}/examples/autoq/run_tiny.json\", \"layers\": \"fc[12]|relu1\", \"groups\": {\"hidden\": \"fc[12]$\"}, \"tuner\": \"bayesian\", \"initial_trials\": 2, \"learning_rate_optimizer\": true, \"max_trials\": 3, \"seed\": 5}")
add_test(NAME cli_autoq_bayesian COMMAND sh -c
  "rm -rf \"$1\" && \"$0\" autoq -q -o \"$1\" \"$2\" && test $(wc -l < \"$1/trials.jsonl\") -eq 3 && test $(grep -c '\"learning_rate\"' \"$1/trials.jsonl\") -eq 3 && \"$0\" autoq --resume -o \"$1\" \"$2\" | grep -c '^trial ' | grep -qx 0"
  $<TARGET_FILE:qtrain_cli> ${AUTOQ_BAYES_OUT} ${CMAKE_CURRENT_BINARY_DIR}/autoq_bayes.json)
# Hyperband, R = 3, η = 3: three fresh trials at 1 epoch, the best goes on at 3.
set(AUTOQ_HB_OUT ${CMAKE_CURRENT_BINARY_DIR}/autoq_hyperband)
file(WRITE ${CMAKE_CURRENT_BINARY_DIR}/autoq_hyperband.json
  "{\"run\": \"${PROJECT_SOURCE_DIR}/examples/autoq/run_tiny.json\", \"layers\": \"fc1|relu1\", \"tuner\": \"hyperband\", \"epochs\": 3, \"max_trials\": 4, \"seed\": 3}")
add_test(NAME cli_autoq_hyperband COMMAND sh -c
  "rm -rf \"$1\" && \"$0\" autoq -q -o \"$1\" \"$2\" && test $(grep -c '\"epochs\":1,' \"$1/trials.jsonl\") -eq 3 && tail -n 1 \"$1/trials.jsonl\" | grep -q '\"epochs\":3,'"
  $<TARGET_FILE:qtrain_cli> ${AUTOQ_HB_OUT} ${CMAKE_CURRENT_BINARY_DIR}/autoq_hyperband.json)
# An unknown tuner: one line naming the file and the field, status 2.
file(WRITE ${CMAKE_CURRENT_BINARY_DIR}/autoq_bad_tuner.json
  "{\"run\": \"${PROJECT_SOURCE_DIR}/examples/autoq/run_tiny.json\", \"tuner\": \"tpe\"}")
add_test(NAME cli_autoq_rejects_bad_tuner COMMAND sh -c
  "\"$0\" autoq -o \"$1.out\" \"$1\" 2>&1 | grep -q 'autoq_bad_tuner.json: tuner' && \"$0\" autoq -o \"$1.out\" \"$1\"; test $? -eq 2"
  $<TARGET_FILE:qtrain_cli> ${CMAKE_CURRENT_BINARY_DIR}/autoq_bad_tuner.json)
