#include "common/reconnect_schedule.hpp"
