# Seconds each slow test program took in the GCC pass of scripts/test
# (ctest's "Test #n: name ... Passed  x sec"; under ASan they take about
# twice as long, in the same order). ctest -j starts the costliest first;
# a test not listed costs 0 and starts after these. Refresh when the order
# changes: sed -n 's/^ *[0-9]*\/[0-9]* Test *#[0-9]*: \([^ ]*\) .* \([0-9.]*\) sec$/\2 \1/p' build/ctest.log
set(pgwamp_test_cost_pgwamp_wamp_integration 82)
set(pgwamp_test_cost_pgwamp_service_outage_test 40)
set(pgwamp_test_cost_pgwamp_service_faults_test 37)
set(pgwamp_test_cost_pgwamp_service_identity_test 32)
set(pgwamp_test_cost_pgwamp_service_changes_test 24)
set(pgwamp_test_cost_pgwamp_service_live_test 20)
set(pgwamp_test_cost_pgwamp_service_standby_test 20)
set(pgwamp_test_cost_pgwamp_service_changes_recovery_test 17)
set(pgwamp_test_cost_pgwamp_service_stream_test 15)
set(pgwamp_test_cost_db_pool_test 13)
set(pgwamp_test_cost_pgwamp_service_leader_test 11)
set(pgwamp_test_cost_pgwamp_service_admin_test 11)
set(pgwamp_test_cost_pgwamp_service_scale_test 10)
set(pgwamp_test_cost_pgwamp_service_calls_test 10)
set(pgwamp_test_cost_pgwamp_service_notify_test 5)
